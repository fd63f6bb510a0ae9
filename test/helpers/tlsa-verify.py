# hash-slinger's `tlsa` with one change to its libunbound context: ZONE (the first argument) is resolved,
# not answered locally (libunbound answers RFC 6761 names such as test. itself, with NXDOMAIN).
import runpy
import sys

import unbound

zone = sys.argv.pop(1)
plain_ctx = unbound.ub_ctx


def ctx_resolving_zone():
    ctx = plain_ctx()
    ctx.set_option('local-zone:', f'{zone} transparent')
    return ctx


unbound.ub_ctx = ctx_resolving_zone
sys.argv[0] = '/usr/bin/tlsa'
runpy.run_path('/usr/bin/tlsa', run_name='__main__')
