"""Settings: typed, frozen data read and validated once (defaults < YAML < ``MODPROXY_*`` < flags).

:mod:`proxy.settings.load` composes the sections and is the one module that reads the environment;
the other modules are the sections themselves. Settings are data: nothing here serves a request.
"""
