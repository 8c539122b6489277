"""Contacts: a mini CRM that lives in conversation, scored against a gold entity graph.

- ``agent``: ``build_agent`` / ``build_machine`` — profile ALWAYS (``ContactsProfile``), entity
  memory AGENTIC (create_entity, add_fact, add_relationship, add_event, search), session
  context ALWAYS with planning; tools in ``tools`` (canned ``web_search``, ``recall_sessions``);
- ``policy``: the offline model's behaviour for this agent (general language rules in the
  private ``_extract`` / ``_patterns`` / ``_facts`` / ``_events`` / ``_dates`` modules, answers from
  memory in ``_respond``, identity decisions in ``_writes``);
- ``data`` loads the gold world, the user script, the probes and the canned web snippets from
  ``datasets/contacts``; ``scoring`` compares any entity memory (converted by ``adapter`` to a
  :class:`~workbench.agents.contacts.snapshot.GraphSnapshot`) and any answers with that gold;
- ``experiment``: ``ContactsTask`` for ``workbench eval contacts``; ``report``: its tables,
  the learning-curve figure and the learned-vs-gold edge diff.
"""
