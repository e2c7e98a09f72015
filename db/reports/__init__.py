"""The reports Touchbase can export; importing this package registers every one of them.

Each module holds the reports of one feature and registers them with ``db.export.report``.
"""

from db.reports import contacts as contacts
from db.reports import dashboard as dashboard
from db.reports import followups as followups
from db.reports import journeys as journeys
from db.reports import sales as sales
from db.reports import touches as touches
