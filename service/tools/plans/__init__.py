"""Exam plans as the spreadsheets curriculum offices keep: import (checked like sxzk check) and export."""
