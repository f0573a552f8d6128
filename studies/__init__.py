"""The study scripts, installed with the package as ``spinmem.studies``.

Each module is a script: ``python studies/NAME.py`` in a source checkout,
``python -m spinmem.studies.NAME`` or ``spinmem run NAME`` anywhere. Results go to
``./data`` (the current directory's) or to ``--out``.
"""
