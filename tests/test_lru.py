"""The shared LRU container: eviction order, weight bound, first-stored wins, threads."""

import threading

from assistant.lru import LRU


def test_least_recently_used_goes_first():
    lru: LRU[str, int] = LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "a" is now the most recent
    lru.put("c", 3)
    assert lru.get("b") is None and lru.get("a") == 1 and lru.get("c") == 3
    assert len(lru) == 2


def test_weight_bound_keeps_the_newest_even_when_heavy():
    lru: LRU[str, str] = LRU(10, max_weight=100)
    lru.put("x", "short", weight=60)
    lru.put("y", "short", weight=50)  # 110 > 100: "x" goes
    assert lru.get("x") is None and lru.get("y") == "short"
    lru.put("z", "huge", weight=500)  # alone over the bound: still kept
    assert lru.get("z") == "huge" and len(lru) == 1
    lru.clear()
    assert len(lru) == 0 and lru.get("z") is None


def test_a_racing_second_put_returns_the_first_value():
    lru: LRU[str, list] = LRU(4)
    first = lru.put("k", [1])
    assert lru.put("k", [2]) is first


def test_threads_see_one_value_per_key():
    lru: LRU[int, object] = LRU(1000)
    seen: list[object] = []

    def work() -> None:
        for k in range(200):
            seen.append((k, id(lru.put(k, object()))))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    per_key: dict[int, set[int]] = {}
    for k, ident in seen:
        per_key.setdefault(k, set()).add(ident)
    assert all(len(ids) == 1 for ids in per_key.values()) and len(lru) == 200
