"""Reading ICE's 287(g) participating/pending agency lists (XLSX or CSV) into plain rows.

`parser.parse_file` is the entry point; `normalize` holds the pure clean-up functions it uses.
Nothing here touches the database, so it can be tested and reused without Django.
"""
