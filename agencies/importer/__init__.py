"""Reading ICE's 287(g) participating/pending agency lists (XLSX or CSV) into plain rows.

`parser.parse_file` is the entry point; `normalize` holds the pure clean-up functions it uses.
Reading (`parser`, `normalize`, `listdate`, `lifecycle`, `matching`) never touches the
database; writing does and lives apart: `store` applies a parsed list to the directory and
`bulk` inserts its rows, `fetch` downloads lists over HTTP.
"""
