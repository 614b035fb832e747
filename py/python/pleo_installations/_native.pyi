"""The native module: the core's JSON door and the emulator. Use the package, not this."""

from typing import Any, Callable, Optional, Tuple, Union, final

__all__ = [
    "__version__",
    "NativeError",
    "Client",
    "CallHandle",
    "MockServer",
    "FileTokenStore",
    "oauth_call",
    "parse_timestamp",
]

__version__: str

class NativeError(Exception):
    """``args`` are ``(error_json, cause)``: the core's error JSON and the Python exception
    that caused it (a refresh hook's or a token store's), or None."""

@final
class Client:
    def __new__(
        cls,
        config_json: str,
        on_tokens_refreshed: Optional[Any] = None,
        token_store: Optional[Any] = None,
    ) -> Client: ...
    def call_json(self, operation_id: str, request_json: str) -> str: ...
    def start_json(
        self,
        operation_id: str,
        request_json: str,
        deliver: Callable[[bool, Union[str, BaseException]], object],
    ) -> CallHandle: ...
    @property
    def base_url(self) -> str: ...

@final
class CallHandle:
    def cancel(self) -> None: ...

def oauth_call(function: str, request_json: str) -> str: ...
def parse_timestamp(text: str) -> Tuple[int, int, int]: ...

@final
class FileTokenStore:
    def __new__(cls, path: str) -> FileTokenStore: ...
    @property
    def path(self) -> str: ...
    def load(self) -> Optional[str]: ...
    def save(self, tokens_json: str) -> None: ...

@final
class MockServer:
    def __new__(cls) -> MockServer: ...
    def admin(self, method: str, path: str, body: str) -> str: ...
    def stop(self) -> None: ...
