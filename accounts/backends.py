"""Login protection backend: django-axes for every login that comes over HTTP."""

from axes.backends import AxesStandaloneBackend


class LoginProtectionBackend(AxesStandaloneBackend):
    """Refuses locked-out accounts. Logins without a request (management commands, the test
    client's `login()`) do not come from the network and are not counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
