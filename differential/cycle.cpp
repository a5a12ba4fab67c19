#include "cycle.hpp"

#include <chrono>
#include <future>
#include <iterator>

namespace warden::diff {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

template <class T>
void append(std::vector<T>& to, std::vector<T>&& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

CycleAnswers run_cycle(std::span<Engine* const> engines, std::span<Engine* const> seconds, const CycleJobs& jobs,
                       const std::function<void()>& side) {
  size_t n = engines.size();
  CycleAnswers a;
  a.runs.assign(n, {});
  a.loads.assign(n, {});
  a.run_seconds.assign(n, 0);
  a.validate_seconds.assign(n, 0);
  // Engine e's whole share: its runs, then its validations. With a second
  // instance each is halved between the two (the second's answers follow
  // the first's), runs first, then validations.
  auto work = [&](size_t e) {
    Engine* eng = engines[e];
    bool binaryen = eng->name() == "binaryen";
    std::span<const std::span<const uint8_t>> mods = binaryen ? jobs.sampled : jobs.mutants;
    Engine* second = e < seconds.size() ? seconds[e] : nullptr;
    auto t = Clock::now();
    if (!jobs.runs.empty()) {
      if (second && jobs.runs.size() > 1) {
        size_t half = jobs.runs.size() / 2;
        auto other = std::async(std::launch::async, [&] { return second->run(jobs.runs.subspan(half)); });
        a.runs[e] = eng->run(jobs.runs.subspan(0, half));
        append(a.runs[e], other.get());
      } else {
        a.runs[e] = eng->run(jobs.runs);
      }
      if (eng->name() == "warden" && jobs.warden_twice) a.warden_again = eng->run(jobs.runs);
    }
    a.run_seconds[e] = since(t);
    t = Clock::now();
    if (second && mods.size() > 1) {
      size_t half = mods.size() / 2;
      auto other = std::async(std::launch::async, [&] { return second->validate(mods.subspan(half)); });
      a.loads[e] = eng->validate(mods.subspan(0, half));
      append(a.loads[e], other.get());
    } else if (!mods.empty()) {
      a.loads[e] = eng->validate(mods);
    }
    a.validate_seconds[e] = since(t);
  };
  std::vector<std::future<void>> threads;
  if (side) threads.push_back(std::async(std::launch::async, side));
  size_t warden = n;
  for (size_t e = 0; e < n; ++e) {
    if (engines[e]->name() == "warden")
      warden = e;
    else
      threads.push_back(std::async(std::launch::async, work, e));
  }
  if (warden < n) work(warden);
  for (auto& t : threads) t.get();
  return a;
}

}  // namespace warden::diff
