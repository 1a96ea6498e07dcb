"""What users keep: lessons, learning notes from practice and actions, in one database behind ``storage``."""
