"""fhir.resources is optional: without it cleanclaim imports, and FHIR use says what to install."""

from __future__ import annotations

import subprocess
import sys
import textwrap

_SCRIPT = textwrap.dedent(
    """
    import sys

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "fhir" or name.startswith(("fhir.", "fhir_core")):
                raise ImportError(f"blocked {name}", name=name)
            return None

    sys.meta_path.insert(0, Block())
    import cleanclaim.cli.fhir
    import cleanclaim.standards.fhir as fhir
    assert "fhir.resources" not in sys.modules
    try:
        list(fhir.parse('{"resourceType": "Claim"}'))
    except fhir.FhirUnavailableError as exc:
        assert "cleanclaim[fhir]" in str(exc)
        print("unavailable")
    """
)


def test_package_works_without_fhir_resources() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", _SCRIPT],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "unavailable"
