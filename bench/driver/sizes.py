"""The sizes of a full run and of --quick, and the load shape the scenarios share."""


# Sizes of the full run and of --quick (a smoke run: tiny, one repetition, a few seconds each).
FULL = {
    "reps": 3,
    "warmup_s": 3.0,
    "duration_s": 10.0,
    "probe_warmup_s": 1.0,
    "probe_duration_s": 5.0,
    "devices": 1000,
    "sparse_clients": [1000, 10000],
    "dense_clients": 1000,
    "latency_clients": 1000,
    "latency_fraction": 0.01,
    "idle_clients": 19000,
    "slow_fast_clients": 900,
    "slow_stalled_clients": 100,
    "calibration_duration_s": 6.0,
    "connect_rate": 3000.0,
    "max_clients_per_process": 10000,
    "broker_devices": 1000,
    "broker_warmup_s": 15.0,
    "hostile_good_clients": 100,
    "hostile_connections": 1000,
    "hostile_warmup_s": 3.0,
    "hostile_duration_s": 10.0,
    "hostile_ramp_s": 3.0,
    "latest_fast_clients": 900,
    "latest_stalled_clients": 100,
    "latest_devices": 100,
    "latest_warmup_s": 4.0,
    "latest_duration_s": 6.0,
}
QUICK = dict(
    FULL,
    reps=1,
    warmup_s=0.5,
    duration_s=1.5,
    probe_warmup_s=0.3,
    probe_duration_s=1.0,
    sparse_clients=[100, 200],
    dense_clients=100,
    latency_clients=100,
    idle_clients=400,
    slow_fast_clients=90,
    slow_stalled_clients=10,
    calibration_duration_s=1.5,
    max_clients_per_process=300,
    broker_warmup_s=2.0,
    hostile_good_clients=20,
    hostile_connections=120,
    hostile_warmup_s=1.0,
    hostile_duration_s=4.0,
    hostile_ramp_s=3.0,
    latest_fast_clients=90,
    latest_stalled_clients=10,
    latest_warmup_s=2.0,
    latest_duration_s=3.0,
)


LOAD_FRACTION = 0.30  # "about 30 % load": of the rate the gateway sustains for the same shape
COMPRESSION_LOAD_FRACTION = 0.15  # leaves room for deflate's extra CPU at the same event rate
SPARSE_FRACTION = 0.01
LOAD_CLIENT_THREADS = 2
GATEWAY_WORKERS = 4  # websocket.worker_count default
