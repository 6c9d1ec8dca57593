"""LocalStack's Lambda provider with its state on disk.

Community LocalStack keeps functions, versions, aliases, layers, permissions, URL configs,
event source mappings and their tags in memory (`lambda_stores`); the code itself is in
LocalStack's internal S3 bucket, which the lab's S3 keeps on disk (lab_localstack/s3/).
`LabLambdaProvider` is LocalStack's provider, unchanged in every operation, plus:

- after each operation that changes something (not Get/List/Invoke), the whole of
  `lambda_stores` is written with LocalStack's own state pickler (dill,
  `localstack.state.pickle`) to `LOCALSTACK_VOLUME_DIR/lab-lambda/stores.pickle`
  (temporary file, fsync, rename) before the response goes out; a workshop has a handful
  of functions, so a whole snapshot costs little;
- when the provider loads (LocalStack loads it on the first Lambda request, which
  provisioning makes at every start), the stores are read back and LocalStack's own
  restore path, `on_after_state_load` (the one its Pro persistence uses), starts every
  function version again (Pending, then Active) and the event source mappings.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from localstack.aws.skeleton import DispatchTable, create_dispatch_table
from localstack.services.lambda_.invocation.models import lambda_stores
from localstack.services.lambda_.provider import LambdaProvider
from localstack.state import pickle as state_pickle

from lab_localstack.after_change import after_changes
from lab_localstack.state_files import state_dir, write_atomic

LOG = logging.getLogger(__name__)
READ_ONLY = ("Get", "List", "Invoke")


def _fresh_lock(pickler, obj) -> None:
    """A lock pickles as a new, unlocked one: a lock held by a thread while the stores are
    saved (a function's code being unpacked) must not come back held, with no holder."""
    pickler.save_reduce(type(obj) is LOCK_TYPE and threading.Lock or threading.RLock, (), obj=obj)


LOCK_TYPE, RLOCK_TYPE = type(threading.Lock()), type(threading.RLock())
state_pickle.register(LOCK_TYPE)(_fresh_lock)
state_pickle.register(RLOCK_TYPE)(_fresh_lock)


def state_file() -> Path:
    return state_dir("lambda") / "stores.pickle"


class LabLambdaProvider(LambdaProvider):
    def __init__(self) -> None:
        super().__init__()
        self._save_lock = threading.Lock()

    def on_after_init(self):
        super().on_after_init()
        path = state_file()
        if not path.exists():
            return
        loaded = state_pickle.loads(path.read_bytes())
        for account_id, bundle in loaded.items():
            lambda_stores[account_id] = bundle
        functions = sum(len(store.functions) for bundle in loaded.values() for store in bundle.values())
        LOG.info("lab Lambda: %d functions restored from %s", functions, path)
        self.on_after_state_load()

    def save(self) -> None:
        with self._save_lock:
            write_atomic(state_file(), state_pickle.dumps(lambda_stores))


def dispatch_table(provider: LabLambdaProvider) -> DispatchTable:
    return after_changes(create_dispatch_table(provider), lambda op: not op.startswith(READ_ONLY),
                         lambda _op, _request: provider.save())
