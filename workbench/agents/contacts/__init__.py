"""Contacts: a mini CRM that lives in conversation, scored against a gold entity graph.

``data`` loads the gold world, the user script, the probes and the canned web snippets from
``datasets/contacts``; ``scoring`` compares any entity memory (converted to a
:class:`~workbench.agents.contacts.snapshot.GraphSnapshot`) and any answers with that gold.
"""
