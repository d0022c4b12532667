"""ORI codes from the census-matched CSV."""

from __future__ import annotations

import datetime as dt

import pytest

from agencies.enrich import agencies_enrich_ori, core_key
from agencies.models import Agency
from tests.agencies.conftest import DERIVED, participating_csv, run_list

pytestmark = pytest.mark.django_db

CSV = b"""date,state,county,zip,agency,agency_id,ori,type
2025-05-16 am,ALABAMA,Colbert County,36351,colbert county sheriff,1,AL0200000,JEM
2025-05-16 am,FLORIDA,Lee County,1,lee county sheriff,2,FL0360000,JEM
2025-05-16 am,FLORIDA,Orange County,1,springfield police department,3,FL0480100,TFM
2025-05-16 am,OHIO,Clark County,1,springfield police department,4,OH0120100,TFM
2025-05-16 am,FLORIDA,Hillsborough County,1,hillsborough county sheriff,5,XX,TFM
"""


def test_core_key_equates_census_and_ice_spellings():
    assert core_key("Colbert County Sheriff's Office") == core_key("colbert county sheriff")
    assert core_key("Naples Police Department") == "naples police"


def test_missing_oris_are_filled_only_on_a_single_match():
    run_list(
        participating_csv(
            [
                ("ALABAMA", "Colbert County Sheriff's Office", "JEM", "", "Colbert County"),
                ("FLORIDA", "Lee County Sheriff's Office", "JEM", "", "Lee County"),
                ("FLORIDA", "Springfield Police Department", "TFM", ""),
                ("OHIO", "Springfield Police Department", "TFM", ""),
                ("FLORIDA", "Hillsborough County Sheriff's Office", "TFM", ""),
            ]
        ),
        "p.csv",
        dt.date(2025, 6, 6),
    )
    Agency.objects.filter(name__startswith="Lee").update(ori="FL0369999")  # never overwritten
    result = agencies_enrich_ori(data=CSV)
    oris = dict(Agency.objects.values_list("state", "ori").filter(name__contains="Springfield"))
    assert oris == {"FL": "FL0480100", "OH": "OH0120100"}  # same name, other state
    assert Agency.objects.get(name__startswith="Colbert").ori == "AL0200000"
    assert Agency.objects.get(name__startswith="Lee").ori == "FL0369999"
    assert Agency.objects.get(name__startswith="Hillsborough").ori == ""  # "XX" is no ORI
    assert result.updated == 3


@pytest.mark.skipif(not DERIVED.is_dir(), reason="shared ICE data not found")
def test_real_census_file_enriches_most_of_the_june_directory():
    run_list(
        (DERIVED.parent / "ice_originals" / "participatingAgencies06062025am.xlsx").read_bytes(),
        "participatingAgencies06062025am.xlsx",
        dt.date(2025, 6, 6),
    )
    agencies_enrich_ori(data=(DERIVED / "appelson_agreements_csllea_merge.csv").read_bytes())
    assert Agency.objects.get(state="AL", name__startswith="Colbert County Sheriff").ori == (
        "AL0200000"
    )
    assert Agency.objects.exclude(ori="").count() > 0.7 * Agency.objects.count()
