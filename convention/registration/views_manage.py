"""Organizer registration pages under /<slug>/manage/."""
