"""Well-known credentials the emulator accepts.

They live in one module so that tests and the pytest plugin refer to the same
values; code that needs other values builds its own ``Credentials`` and passes
it to ``start_emulator(credentials=...)``.  None of these are real secrets.
"""

from dataclasses import asdict, dataclass

PROJECT_ID = "4a1c2b3d4e5f60718293a4b5c6d7e8f9"
#: Exists on the platform, but no credential is scoped for it: requests get 403.
FOREIGN_PROJECT_ID = "ffffffffffffffffffffffffffffffff"
#: IAM scopes may name the project instead of giving its id (project names are region names).
PROJECT_NAME = "cn-north-4"
USER_NAME = "emu-user"
PASSWORD = "emu-Pa55word!"
DOMAIN_NAME = "emu-domain"
ACCESS_KEY = "EMUAK0000000000000001"
SECRET_KEY = "emu-sk-9f8e7d6c5b4a39281706"
SECURITY_TOKEN = "emu-security-token-abc123"
STATIC_TOKEN = "emu-static-token-0001"


@dataclass(frozen=True)
class Credentials:
    """The account the emulator serves; every field may be overridden."""

    project_id: str = PROJECT_ID
    foreign_project_id: str = FOREIGN_PROJECT_ID
    project_name: str = PROJECT_NAME
    user_name: str = USER_NAME
    password: str = PASSWORD
    domain_name: str = DOMAIN_NAME
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    security_token: str = SECURITY_TOKEN
    static_token: str = STATIC_TOKEN

    def as_dict(self):
        return asdict(self)
