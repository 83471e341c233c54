"""The CycloneDX SBOM each distribution carries (sbom.py), from the facts the
build left behind (sbom_facts.py)."""
