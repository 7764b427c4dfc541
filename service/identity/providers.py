"""Online identity verification (线上认证) behind one interface, with an offline sandbox.

A real provider compares the photos with each other and with the national ID
photo; the service only needs its verdict.  ``SandboxIdentityProvider`` lets the
whole flow run offline and deterministically:

- it passes whenever every required photo was accepted by the photo checks
  (they decode, are PNG/JPEG, under 2 MB, large enough);
- it fails, sending the candidate to manual review at the registration point,
  for the documented test marker: an ID number whose order code (digits 15-17)
  is 999.  No real person is affected: the marker is a sandbox convention.
"""
from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass

from service.errors import ServiceError

SANDBOX_FAIL_ORDER_CODE = "999"


@dataclass(frozen=True)
class Outcome:
    passed: bool
    reason: str  # shown in the candidate's history
    reference: str  # the provider's reference for this check


class IdentityProvider(ABC):
    name: str

    @abstractmethod
    def verify(self, candidate: dict, photos: dict[str, str]) -> Outcome:
        """Verify ``candidate`` (name, id_number, gender) against photos given as {kind: sha256}."""


class SandboxIdentityProvider(IdentityProvider):
    name = "identity-sandbox"

    def verify(self, candidate: dict, photos: dict[str, str]) -> Outcome:
        digest = hashlib.sha256("|".join([candidate["exam_number"], *sorted(photos.values())]).encode()).hexdigest()
        reference = f"SBX-{digest[:16]}"
        if candidate["id_number"][14:17] == SANDBOX_FAIL_ORDER_CODE:
            return Outcome(False, "线上认证未通过：人像比对不一致（sandbox test marker: ID order code 999）/ online check "
                                  "failed: faces do not match", reference)
        return Outcome(True, "线上认证通过 / online check passed", reference)


class ProviderSettingError(ServiceError):
    status = 500
    code = "bad_provider_setting"


def provider_for(app_config) -> IdentityProvider:
    """The configured provider (config IDENTITY_PROVIDER, default "sandbox")."""
    name = (app_config or {}).get("IDENTITY_PROVIDER") or "sandbox"
    if isinstance(name, IdentityProvider):
        return name
    if name == "sandbox":
        return SandboxIdentityProvider()
    raise ProviderSettingError(f"unknown IDENTITY_PROVIDER {name!r}; only 'sandbox' is built in")
