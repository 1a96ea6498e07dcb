"""From a question to a cited answer: reading the question, modes, composition, conversation, roles."""
