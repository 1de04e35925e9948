"""What the fork server imports before it forks the pool's workers (`runner.forking`): every module of
`forking.PRELOAD`, with the cyclic garbage collector off, then the heap frozen.

multiprocessing's fork server imports the modules named as its preload one after the other; this module is its
only one, so that what Python's documentation recommends for processes forked without exec can be done around
them (`gc.freeze`): the collector off while the modules load (every full collection would walk the growing heap:
the preload takes ~1.2 s instead of ~1.6 s, and it is what the run's first notebooks wait for), and the result
frozen, so that no worker's collection walks or writes those ~230,000 objects again. A forked worker turns the
collector back on as it starts (`forking.freeze_heap`). The server itself only forks; it leaves the collector off.

Importing this module anywhere but in the fork server would leave that process's collector off: nothing else
imports it.
"""

from __future__ import annotations

import gc

from planning.runner.forking import PRELOAD

gc.disable()
for _name in PRELOAD:
    try:
        __import__(_name)
    except ImportError:  # as multiprocessing's own preload: a missing optional module is imported on use
        pass
gc.freeze()
