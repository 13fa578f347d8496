import threading

from slack_app.bolt.app import started_pool


def listener_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name.startswith("listener")}


def test_the_listener_pool_has_every_thread_running_before_the_first_request():
    before = listener_threads()
    pool = started_pool(6)
    try:
        started = listener_threads() - before
        assert len(started) == 6 and all(thread.is_alive() for thread in started)
        # And they are free: six pieces of work that wait for each other all run at once.
        together = threading.Barrier(6)
        futures = [pool.submit(together.wait, 10) for _ in range(6)]
        assert sorted(future.result(15) for future in futures) == [0, 1, 2, 3, 4, 5]
    finally:
        pool.shutdown(wait=True)
