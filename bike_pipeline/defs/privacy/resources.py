"""The privacy keys as a Dagster resource, read from the environment through `dg.EnvVar`.

`ensure_key_environment()` runs first so that, without real keys, the development keys
of the state folder are in the environment for `dg.EnvVar` to find (with a warning).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from bike_pipeline.settings import PII_KEY_VAR, PSEUDONYM_KEY_VAR, ensure_key_environment

if TYPE_CHECKING:
    from bike_pipeline.privacy.cipher import PiiCipher
    from bike_pipeline.privacy.pseudonyms import Pseudonymiser


class PrivacyKeysResource(dg.ConfigurableResource):
    """The PII key (analytics encryption) and the pseudonym key (BI HMACs)."""

    pii_key: str
    pseudonym_key: str

    def cipher(self) -> PiiCipher:
        from bike_pipeline.privacy.cipher import PiiCipher

        return PiiCipher(self.pii_key)

    def pseudonymiser(self) -> Pseudonymiser:
        from bike_pipeline.privacy.pseudonyms import Pseudonymiser

        return Pseudonymiser(self.pseudonym_key)


@dg.definitions
def resources() -> dg.Definitions:
    ensure_key_environment()
    return dg.Definitions(
        resources={
            "privacy_keys": PrivacyKeysResource(
                pii_key=dg.EnvVar(PII_KEY_VAR), pseudonym_key=dg.EnvVar(PSEUDONYM_KEY_VAR)
            )
        }
    )
