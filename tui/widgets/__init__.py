"""Widgets shared by the screens: the answer fields per question type and their key line, Japanese
text folded at any character, table columns that share the terminal's width, and the one-line
rows of the department list and the review queue.
"""
