"""Who may call which route. Forum coordinators and station officers (who run meetings)
write; ministry analysts read too; only coordinators see members' personal data. Which fora
and areas a token reaches (its station or governorate claim) is decided with the data, in the
queries: `domain.scope` and `application.scope`."""

from __future__ import annotations

from libs.chassis.auth import require_roles

writers = require_roles("forum_coordinator", "station_officer")
readers = require_roles("forum_coordinator", "station_officer", "ministry_analyst")
coordinators = require_roles("forum_coordinator")
