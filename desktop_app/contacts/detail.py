"""The detail pane: everything about the selected contact, readable at a glance."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Protocol, cast, runtime_checkable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.clock import local_today
from db.contacts import ContactDetail, ContactRow
from db.engine import Database
from desktop_app import icons, theme
from desktop_app.contacts.status import StatusLine, status_chips
from desktop_app.contacts.table_model import format_date
from desktop_app.ops import Changes


@runtime_checkable
class DetailSection(Protocol):
    """A part of the detail pane that a feature owns (stage, timeline, purchases, ...).

    Sections are QWidgets; the pane tells them which contact is shown (None for none) and
    they load what they need themselves.
    """

    def show_contact(self, contact: ContactDetail | None) -> None: ...


@runtime_checkable
class ReadAheadSection(DetailSection, Protocol):
    """A section whose data is read off the GUI thread when a contact is selected.

    ``read`` runs on the background runner: database calls only, no widget touched. Its
    result comes back to ``show_read`` on the GUI thread. ``show_contact`` stays for the
    times a section is told of a contact without a read ahead (it then reads in-line).
    """

    def read(self, database: Database, contact: ContactDetail) -> object: ...

    def show_read(self, contact: ContactDetail, data: object) -> None: ...


#: What the sections read ahead for one contact, by section.
ReadAhead = dict[int, object]

#: Builds a section when the pane first needs it (``DetailPane.add_section``).
SectionFactory = Callable[[], QWidget]


def reread_by_pane(section: QWidget, changes: Changes) -> bool:
    """Whether the detail pane holding ``section`` reads the contact again after ``changes``
    (off the GUI thread, sections included), so the section need not reload by itself."""
    widget = section.parentWidget()
    while widget is not None and not isinstance(widget, DetailPane):
        widget = widget.parentWidget()
    return widget is not None and widget.rereads(changes)


def _section(title: str) -> QLabel:
    label = QLabel(title.upper())
    label.setObjectName("sectionTitle")
    return label


class DetailPane(QWidget):
    """Shows one contact; emits requests for the actions its buttons offer.

    The name and actions stay on top; below, a *Details* tab (contact facts and the
    features' sections, scrolling down) and a *Timeline* tab, which has the pane's whole
    height to page through a contact's history. The tab chosen stays chosen from one
    contact to the next.
    """

    edit_requested = Signal(int)
    trash_requested = Signal(int)
    restore_requested = Signal(int)
    contact_link_activated = Signal(int)

    DETAILS = "Details"
    TIMELINE = "Timeline"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPane")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setMinimumWidth(300)
        self.contact: ContactDetail | None = None
        #: The kinds of change after which the pane's owner reads the contact again.
        self.reread_after: frozenset[str] = frozenset()
        self._sections: list[tuple[QWidget, DetailSection, int, str]] = []
        #: Sections added as factories and not built yet, in the order they were added.
        self._waiting: list[tuple[SectionFactory, int, str]] = []

        self.name = QLabel()
        self.name.setObjectName("detailName")
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("detailSubtitle")
        self.subtitle.setWordWrap(True)
        self.status = StatusLine()

        buttons = QHBoxLayout()
        self.edit_button = QPushButton(icons.icon("edit"), "Edit")
        self.edit_button.clicked.connect(self._on_edit)
        self.trash_button = QPushButton(icons.icon("delete"), "Delete")
        self.trash_button.clicked.connect(self._on_trash)
        self.restore_button = QPushButton(icons.icon("restore"), "Restore")
        self.restore_button.clicked.connect(self._on_restore)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.trash_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)

        self.info = QLabel()
        self.info.setObjectName("detailInfo")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setOpenExternalLinks(False)
        self.info.linkActivated.connect(self._on_link)
        self.info.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )

        self.empty = QLabel("Select a contact to see their details.")
        self.empty.setObjectName("emptyHint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        self.header = QWidget()
        heading = QVBoxLayout(self.header)
        heading.setContentsMargins(20, 18, 20, 6)
        heading.setSpacing(6)
        for widget in (self.name, self.subtitle, self.status):
            heading.addWidget(widget)
        heading.addLayout(buttons)

        # The Details tab scrolls down only: the pane is kept as wide as its widest section.
        self.details = QScrollArea()
        self.details.setObjectName("detailScroll")
        self.details.setWidgetResizable(True)
        self.details.setFrameShape(QFrame.Shape.NoFrame)
        self.details.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("detailBody")
        body_layout = self._tab_layout(body)
        # The sections (journey, follow-ups, ...) come first; the contact's facts after them.
        body_layout.addWidget(self.info)
        body_layout.addStretch(1)
        self.details.setWidget(body)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("detailTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.details, self.DETAILS)
        #: Each tab's layout, and how many fixed widgets come before its sections.
        self._tab_layouts: dict[str, tuple[QVBoxLayout, int]] = {self.DETAILS: (body_layout, 0)}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.empty, 1)
        self.show_contact(None)

    @staticmethod
    def _tab_layout(page: QWidget) -> QVBoxLayout:
        layout = QVBoxLayout(page)
        layout.setContentsMargins(20, 12, 20, 20)
        layout.setSpacing(6)
        return layout

    def add_section(
        self, section: QWidget | SectionFactory, *, order: int = 50, tab: str = DETAILS
    ) -> None:
        """Add a feature's section to a tab (Details unless said, a new tab made on first
        use). Within a tab, sections stand by ``order`` (the stage first), then as added; a
        section on a tab of its own gets the tab's whole height.

        ``section`` may be a factory: the section is then built when the pane first shows a
        contact, or before that by ``build_next_section`` (the main window builds them a step
        at a time once it is up), so that sections cost nothing before the first page
        (docs/architecture.md, "Start-up")."""
        if not isinstance(section, QWidget):
            self._waiting.append((section, order, tab))
            return
        self._place(section, order, tab)

    def _place(self, section: QWidget, order: int, tab: str) -> None:
        if not isinstance(section, DetailSection):
            raise TypeError("a detail section needs show_contact()")
        if tab not in self._tab_layouts:
            page = QWidget()
            page.setObjectName("detailBody")
            self._tab_layouts[tab] = (self._tab_layout(page), 0)
            self.tabs.addTab(page, tab)
        layout, fixed = self._tab_layouts[tab]
        place = sum(1 for _w, _s, o, t in self._sections if t == tab and o <= order)
        layout.insertWidget(fixed + place, section, 0 if tab == self.DETAILS else 1)
        self._sections.append((section, section, order, tab))
        section.show_contact(self.contact)
        body = self.details.widget()
        if body is not None:
            scrollbar = self.details.verticalScrollBar().sizeHint().width()
            self.setMinimumWidth(max(300, body.minimumSizeHint().width() + scrollbar + 4))

    def waiting_sections(self) -> int:
        """How many sections were added as factories and are not built yet."""
        return len(self._waiting)

    def build_sections(self) -> None:
        """Build every section still waiting (before a contact is shown or read for)."""
        while self.build_next_section():
            pass

    def build_next_section(self) -> bool:
        """Build the first section still waiting; False if none was."""
        if not self._waiting:
            return False
        factory, order, tab = self._waiting.pop(0)
        self._place(factory(), order, tab)
        return True

    def show_tab(self, tab: str) -> None:
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == tab:
                self.tabs.setCurrentIndex(index)

    def rereads(self, changes: Changes) -> bool:
        kinds = changes.kinds()
        return bool(kinds) and kinds <= self.reread_after

    def read_ahead(self, database: Database, contact: ContactDetail) -> ReadAhead:
        """What the sections will show for ``contact``, read now (on the runner)."""
        return {
            id(section): section.read(database, contact)
            for _widget, section, _order, _tab in list(self._sections)
            if isinstance(section, ReadAheadSection)
        }

    def show_contact(self, contact: ContactDetail | None, read: ReadAhead | None = None) -> None:
        """Show ``contact``, with what the sections read ahead for it (``read_ahead``)."""
        if contact is not None:
            self.build_sections()
        self.contact = contact
        for _widget, section, _order, _tab in self._sections:
            if contact is not None and read is not None and id(section) in read:
                cast("ReadAheadSection", section).show_read(contact, read[id(section)])
            else:
                section.show_contact(contact)
        has = contact is not None
        self.header.setVisible(has)
        self.tabs.setVisible(has)
        self.empty.setVisible(not has)
        if contact is None:
            return
        trashed = contact.deleted_at is not None
        self.restore_button.setVisible(trashed)
        self.trash_button.setText("Delete forever" if trashed else "Delete")
        self.edit_button.setEnabled(not trashed)
        self.name.setText(contact.name)
        self.subtitle.setText(" · ".join(p for p in (contact.title, contact.company) if p))
        self.subtitle.setVisible(bool(contact.title or contact.company))
        self.show_status(contact, None)
        self.info.setText(self._info_html(contact))

    def show_status(
        self, contact: ContactDetail, row: ContactRow | None, stage_tone: str = "accent"
    ) -> None:
        """The status line; ``row`` adds lifecycle and satisfaction once it has been read."""
        self.status.show_chips(status_chips(contact, row, stage_tone, local_today()))

    @staticmethod
    def _info_html(contact: ContactDetail) -> str:
        parts: list[str] = []

        def section(title: str, rows: list[str]) -> None:
            if rows:
                parts.append(
                    f'<p style="margin-top:14px; color:{theme.hex_of("muted")}; font-size:small;">'
                    f"<b>{title.upper()}</b></p>" + "<br>".join(rows)
                )

        def labelled(value: str, label: str) -> str:
            suffix = (
                f' <span style="color:{theme.hex_of("muted")};">{escape(label)}</span>'
                if label
                else ""
            )
            return value + suffix

        section(
            "Email",
            [
                labelled(f'<a href="mailto:{escape(e.address)}">{escape(e.address)}</a>', e.label)
                for e in contact.emails
            ],
        )
        section(
            "Phone",
            [
                labelled(f'<a href="tel:{escape(p.number)}">{escape(p.number)}</a>', p.label)
                for p in contact.phones
            ],
        )
        place = ", ".join(
            p for p in (contact.city, contact.region, contact.postal_code, contact.country) if p
        )
        section("Address", [escape(line) for line in (contact.street, place) if line])
        # The last touch and the next follow-up have sections of their own (touches and
        # follow-ups), with more to say than a line here could.
        met = [
            label
            for label, ok in (
                ("need", contact.has_need),
                ("budget", contact.has_budget),
                ("urgency", contact.has_urgency),
                ("decision maker", contact.is_decision_maker),
            )
            if ok
        ]
        section(
            "Qualification",
            [
                f"<b>{escape(contact.qualification.label)}</b> "
                f'<span style="color:{theme.hex_of("muted")};">— {len(met)} of 4 criteria'
                f"{': ' + escape(', '.join(met)) if met else ''}</span>"
            ],
        )
        section("Tags", [escape(", ".join(contact.tags))] if contact.tags else [])
        referral = []
        if contact.referred_by_id is not None:
            referral.append(
                f'Referred by <a href="contact:{contact.referred_by_id}">'
                f"{escape(contact.referred_by_name)}</a>"
            )
        if contact.referrals:
            links = ", ".join(
                f'<a href="contact:{cid}">{escape(name)}</a>' for cid, name in contact.referrals
            )
            referral.append(f"Referred {len(contact.referrals)}: {links}")
        section("Referrals", referral)
        section("Notes", [escape(contact.notes).replace("\n", "<br>")] if contact.notes else [])
        meta = [f"Added {format_date(contact.created_at)}"]
        if contact.updated_at and contact.updated_at != contact.created_at:
            meta.append(f"updated {format_date(contact.updated_at)}")
        if contact.deleted_at is not None:
            meta.append(f"deleted {format_date(contact.deleted_at)}")
        parts.append(
            f'<p style="margin-top:18px; color:{theme.hex_of("muted")}; font-size:small;">'
            f"{', '.join(meta)}</p>"
        )
        return "".join(parts)

    def _on_link(self, link: str) -> None:
        if link.startswith("contact:"):
            self.contact_link_activated.emit(int(link.removeprefix("contact:")))
        else:
            from PySide6.QtCore import QUrl  # noqa: PLC0415
            from PySide6.QtGui import QDesktopServices  # noqa: PLC0415

            QDesktopServices.openUrl(QUrl(link))

    def _on_edit(self) -> None:
        if self.contact is not None:
            self.edit_requested.emit(self.contact.id)

    def _on_trash(self) -> None:
        if self.contact is not None:
            self.trash_requested.emit(self.contact.id)

    def _on_restore(self) -> None:
        if self.contact is not None:
            self.restore_requested.emit(self.contact.id)
