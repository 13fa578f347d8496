import threading

from db.session import TurnLock
from tests.e2e.helpers import eventually


def test_writers_get_the_lock_in_the_order_they_asked_for_it():
    lock = TurnLock()
    assert lock.acquire(timeout=1)
    order: list[str] = []

    def writer(name: str) -> None:
        assert lock.acquire(timeout=10)
        order.append(name)
        lock.release()

    threads = []
    for count, name in enumerate(("first", "second", "third"), start=1):
        threads.append(threading.Thread(target=writer, args=(name,)))
        threads[-1].start()
        eventually(lambda count=count: lock.queued() == count, what=f"{name} to queue")
    lock.release()
    for thread in threads:
        thread.join(10)
    assert order == ["first", "second", "third"]
    assert lock.acquire(timeout=0.1)  # free again


def test_a_writer_that_gives_up_leaves_the_queue_and_the_next_one_gets_the_lock():
    lock = TurnLock()
    assert lock.acquire(timeout=1)
    assert not lock.acquire(timeout=0.05)
    assert lock.queued() == 0
    got = threading.Event()
    waiter = threading.Thread(target=lambda: lock.acquire(timeout=10) and got.set())
    waiter.start()
    eventually(lambda: lock.queued() == 1, what="the waiter to queue")
    lock.release()
    waiter.join(10)
    assert got.is_set()
    assert not lock.acquire(timeout=0.05)  # the waiter holds it now
