"""The API check (api-uses, api-check): the Python to scan, from a directory
or a wheel (code_to_scan.py), every native attribute it uses, read with
`ast` (apiscan.py), and whether the built modules define them (apicheck.py)."""
