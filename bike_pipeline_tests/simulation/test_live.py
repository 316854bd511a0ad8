from bike_pipeline.simulation.live import live_window

NOW = 1_000_000.0


def test_first_window_anchors_now_on_the_next_tick() -> None:
    window = live_window(NOW, next_tick=40, anchor=None, pace=2.0, horizon=30.0)
    assert (window.anchor_epoch, window.anchor_tick) == (NOW, 40)
    assert (window.first_tick, window.until_tick) == (40, 55)


def test_next_window_keeps_the_anchor_and_the_pace() -> None:
    window = live_window(NOW + 30, next_tick=55, anchor=(NOW, 40), pace=2.0, horizon=30.0)
    assert (window.anchor_epoch, window.anchor_tick) == (NOW, 40)
    assert (window.first_tick, window.until_tick) == (55, 70)


def test_a_crashed_window_is_continued_from_the_last_committed_tick() -> None:
    window = live_window(NOW + 30, next_tick=47, anchor=(NOW, 40), pace=2.0, horizon=30.0)
    assert (window.first_tick, window.until_tick) == (47, 70)


def test_after_a_long_pause_live_mode_re_anchors_instead_of_racing() -> None:
    window = live_window(NOW + 3_600, next_tick=70, anchor=(NOW, 40), pace=2.0, horizon=30.0)
    assert (window.anchor_epoch, window.anchor_tick) == (NOW + 3_600, 70)
    assert window.ticks == 15


def test_nothing_due_yet() -> None:
    window = live_window(NOW + 1, next_tick=70, anchor=(NOW, 40), pace=2.0, horizon=30.0)
    assert window.ticks == 0
