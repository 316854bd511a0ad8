"""The engineer's column type: `StringEncryptedType` + `AesGcmEngine`, key from the environment.

The key is a callable reading `BIKE_PIPELINE_PII_KEY` (or the development key) at each
use, so a rotated key takes effect without re-importing the models. A value that fails
AES-GCM authentication raises `WrongPiiKeyError` naming the column, not sqlalchemy-utils'
bare `InvalidCiphertextError`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy_utils import StringEncryptedType
from sqlalchemy_utils.types.encrypted.encrypted_type import AesGcmEngine, InvalidCiphertextError

from bike_pipeline.privacy.cipher import WrongPiiKeyError
from bike_pipeline.settings import PII_KEY_VAR, secret_key


def pii_key() -> str:
    return secret_key(PII_KEY_VAR)


class PiiEncrypted(StringEncryptedType):
    """An encrypted text column of `analytics`; `where` names it in errors."""

    cache_ok = True

    def __init__(self, type_in: Any, where: str, **kwargs: Any) -> None:
        super().__init__(type_in, key=pii_key, engine=AesGcmEngine, **kwargs)
        self.where = where

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        try:
            return super().process_result_value(value, dialect)
        except InvalidCiphertextError:
            raise WrongPiiKeyError(self.where) from None
