"""Page views of the cases app, one module per area."""
