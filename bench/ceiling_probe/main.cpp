// bench_ceiling_probe: see loopback_probe.h and docs/performance.md.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "ceiling_probe/loopback_probe.h"
#include "text_formats/duration_text.h"

namespace {

int run(int argc, char** argv) {
  using namespace iiot::bench;
  ProbeOptions o;
  CLI::App app(
      "Raw loopback ceiling: frames/s over N TCP connections with one send() per frame or one "
      "writev() of --batch frames per socket, round robin; prints or writes JSON.",
      "bench_ceiling_probe");
  app.option_defaults()->always_capture_default();
  std::string mode = "send";
  std::string duration = "5s";
  std::string warmup = "1s";
  std::string json_out;
  app.add_option("--connections", o.connections, "Socket pairs")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  app.add_option("--frame-bytes", o.frame_bytes, "Bytes per frame (as on the wire)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1 << 20}));
  app.add_option("--mode", mode, "send | writev")->check(CLI::IsMember({"send", "writev"}));
  app.add_option("--batch", o.batch, "Frames per writev")->check(CLI::Range(1, 1024));
  app.add_option("--duration", duration, "Measurement window");
  app.add_option("--warmup", warmup, "Time before the window");
  app.add_option("--sender-threads", o.sender_threads)->check(CLI::Range(1, 64));
  app.add_option("--receiver-threads", o.receiver_threads)->check(CLI::Range(1, 64));
  app.add_option("--json-out", json_out, "Write the result here (else stdout)");
  CLI11_PARSE(app, argc, argv);
  const auto d = iiot::text_formats::decimal_duration(duration);
  const auto w = iiot::text_formats::decimal_duration(warmup);
  if (!d || !w) {
    std::fprintf(stderr, "bench_ceiling_probe: --duration/--warmup: e.g. 5s, 500ms\n");
    return 2;
  }
  o.duration_s = std::chrono::duration<double>(*d).count();
  o.warmup_s = std::chrono::duration<double>(*w).count();
  o.mode = mode == "send" ? ProbeMode::kSend : ProbeMode::kWritev;
  if (o.mode == ProbeMode::kSend) o.batch = 1;

  const ProbeResult r = run_probe(o);
  boost::json::object out;
  out["tool"] = "bench_ceiling_probe";
  out["mode"] = to_string(o.mode);
  out["connections"] = o.connections;
  out["frame_bytes"] = o.frame_bytes;
  out["batch"] = o.batch;
  out["sender_threads"] = o.sender_threads;
  out["receiver_threads"] = o.receiver_threads;
  out["window_s"] = r.window_s;
  out["received_bytes"] = r.received_bytes;
  out["frames_per_s"] = r.frames_per_s;
  out["bytes_per_s"] = r.bytes_per_s;
  out["syscalls_per_s"] = r.syscalls_per_s;
  out["would_block"] = r.would_block;
  out["sender_cpu_s"] = r.sender_cpu_s;
  out["receiver_cpu_s_whole_run"] = r.receiver_cpu_s;
  const std::string text = boost::json::serialize(out);
  if (json_out.empty()) {
    std::printf("%s\n", text.c_str());
  } else {
    std::ofstream(json_out) << text << '\n';
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_ceiling_probe: %s\n", e.what());
    return 1;
  }
}
