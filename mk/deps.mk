# beamr: `make run' and `make test' check their tools first (included
# by the top Makefile before erlang.mk, whose variables ask erl). When
# something is missing, mk/check-tools.sh installs the Debian packages
# of mk/debian-packages.txt as root, or prints the one apt-get line that
# is needed; make then stops before building anything.
#   make tools-check   the check alone
# SPDX-License-Identifier: Apache-2.0

ifneq ($(filter run test tools-check,$(MAKECMDGOALS)),)
ifneq ($(BEAMR_TOOLS_CHECKED),1)
BEAMR_TOOLS_STATUS := $(shell mk/check-tools.sh >&2; echo $$?)
ifneq ($(BEAMR_TOOLS_STATUS),0)
$(error beamr: missing tools (see above))
endif
# Sub-makes need not check again.
export BEAMR_TOOLS_CHECKED := 1
endif
endif

.PHONY: tools-check
tools-check:
	@echo "beamr: every tool make run and make test need is here"
