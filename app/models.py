"""Every model, imported once so that metadata (and Alembic) sees all tables."""

from .audit.models import AuditEvent  # noqa: F401
from .auth.models import ApiToken, OneTimeCode, RecoveryCode, RoleAssignment, User  # noqa: F401
from .bookings.models import Attachment, Booking, BookingEvent, IdempotencyKey, Rating, SlotHold  # noqa: F401
from .live.models import CallInvite, LivePresence, QueueEntry, QueueTransition, Recording  # noqa: F401
from .minutes.models import Minutes, MinutesVersion  # noqa: F401
from .notify.models import Notification, PushSubscription  # noqa: F401
from .points.models import ReceptionPoint  # noqa: F401
from .rulebook.models import RuleVersion  # noqa: F401
from .schedules.models import HolidayOverride, ReceptionSession, Schedule  # noqa: F401
from .tasks.models import Task, TaskAttachment, TaskEvent  # noqa: F401
from .units.models import Agency, Unit  # noqa: F401
