"""Importing contacts from CSV and vCard files: reading, mapping, previewing and writing.

- ``db.importing.fields``: the contact fields a column can fill, and the column layouts of
  Google Contacts, Outlook and plain spreadsheets, recognised from their headers;
- ``db.importing.csvfile``: reading a CSV file whatever its encoding and delimiter, a row at a
  time, with the line each row starts on;
- ``db.importing.vcard``: reading vCard 2.1, 3.0 and 4.0 files, a card at a time;
- ``db.importing.service``: the preview (what would be created, matched or refused, written
  nowhere) and the import itself (one transaction: every chosen row or none).

Files are streamed, never held whole, so there is no row limit and memory stays bounded: once
for the preview, which keeps the rows it read in a temporary file for the import that follows
(``db.importing.pipeline.Spool``), or once more by an import that has no such rows.
"""
