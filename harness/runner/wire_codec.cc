#include "harness/runner/wire_codec.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>

#include <charconv>
#include <sstream>

#include "harness/ir/observation.h"

namespace fc {

std::string encode_program(const Program& program, const Plan& plan, std::uint64_t id,
                           int timeout_ms) {
  std::string out = "PROG " + std::to_string(id) + " " + std::to_string(program.steps.size()) +
                    " " + std::to_string(timeout_ms) +
                    (program.pidns ? " pidns" : "") /* issue 4, pidns */ + "\n";
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    const Step& step = program.steps[i];
    out += "S " + std::to_string(step.actor) + " " + std::to_string(static_cast<int>(step.op));
    for (std::int64_t arg : step.args) out += " " + std::to_string(arg);
    // issue 4: a kill step carries the model's sync expectation (wire.h
    // FC_SYNC_*) as its data; kill takes no data argument of its own.
    std::string data = step.data;
    if (i < plan.sync.size() && plan.sync[i] != FC_SYNC_NONE && data.empty()) {
      data = std::string(1, static_cast<char>(plan.sync[i]));
    }
    // issue 4, pidfd: deaths the step causes beyond its target (wire.h
    // FC_SYNC_DEATHS), after its own sync byte.
    if (i < plan.deaths.size() && !plan.deaths[i].empty() && step.data.empty()) {
      if (data.empty()) data = std::string(1, static_cast<char>(FC_SYNC_NONE));
      data += static_cast<char>(FC_SYNC_DEATHS);
      for (int actor : plan.deaths[i]) data += static_cast<char>(actor);
    }
    out += " " + std::to_string(step.out) + " " + std::to_string(plan.unblock_by[i]) + " " +
           obs::hex(data) + "\n";
  }
  out += "END\n";
  return out;
}

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

template <typename T>
bool to_number(const std::string& text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

ResultParser::Status ResultParser::fail(const std::string& line, const std::string& why) {
  std::string shown = line.size() > 120 ? line.substr(0, 120) + "..." : line;
  error_ = why + " in executor output line '" + shown + "'";
  return Status::Error;
}

ResultParser::Status ResultParser::feed(const std::string& line) {
  std::vector<std::string> w = split(line);
  if (w.empty()) return Status::NeedMore;
  if (!begun_) {
    if (w[0] == "E" && w.size() >= 2 && w[1] == "error") {
      // The executor rejected the input before starting a block.
      result_.end = "error";
      for (std::size_t i = 3; i < w.size(); ++i) result_.message += (i > 3 ? " " : "") + w[i];
      return Status::Complete;
    }
    if (w[0] != "BEGIN" || w.size() != 2) return fail(line, "expected BEGIN");
    std::uint64_t id = 0;
    if (!to_number(w[1], id) || id != expected_id_) {
      return fail(line, "result for another program (expected " + std::to_string(expected_id_) +
                            ")");
    }
    result_.id = id;
    begun_ = true;
    return Status::NeedMore;
  }
  const std::string& tag = w[0];
  if (tag == "H") {
    if (w.size() != 3 || !to_number(w[2], result_.reaper_pid)) return fail(line, "bad H line");
    result_.mode = w[1];
  } else if (tag == "A") {
    int actor = 0;
    std::int64_t pid = 0;
    if (w.size() != 3 || !to_number(w[1], actor) || !to_number(w[2], pid)) {
      return fail(line, "bad A line");
    }
    result_.actor_pids[actor] = pid;
  } else if (tag == "R") {
    RawStep step;
    if (w.size() != 10 || !to_number(w[1], step.step) || !to_number(w[3], step.ret) ||
        !to_number(w[4], step.err) || !to_number(w[5], step.aux[0]) ||
        !to_number(w[6], step.aux[1]) || !to_number(w[7], step.aux[2]) ||
        !to_number(w[8], step.aux[3]) || !obs::unhex(w[9], step.data)) {
      return fail(line, "bad R line");
    }
    if (step.step >= nsteps_) return fail(line, "step index out of range");
    step.state = w[2];
    if (step.state != "done" && step.state != "blocked" && step.state != "late") {
      return fail(line, "bad step state");
    }
    result_.steps.push_back(std::move(step));
  } else if (tag == "E") {
    if (w.size() < 3 || !to_number(w[2], result_.turn)) return fail(line, "bad E line");
    result_.end = w[1];
    if (result_.end != "ok" && result_.end != "timeout" && result_.end != "error") {
      return fail(line, "bad end status");
    }
    for (std::size_t i = 3; i < w.size(); ++i) result_.message += (i > 3 ? " " : "") + w[i];
    return Status::Complete;
  } else {
    return fail(line, "unknown tag");
  }
  return Status::NeedMore;
}

namespace {

struct Symbols {
  std::map<std::int64_t, std::string> pids;     // raw pid -> P<n> / REAPER
  std::map<std::int64_t, std::string> objects;  // inode -> f<n> / pipe@<step>

  std::string pid(std::int64_t raw) const {
    if (raw == 0) return "0";
    auto it = pids.find(raw);
    return it == pids.end() ? "pid?" + std::to_string(raw) : it->second;
  }
  std::string object(std::int64_t ino, char type) const {
    if (type == 'c') return "null";
    auto it = objects.find(ino);
    return it == objects.end() ? std::string("?") : it->second;
  }
};

std::string wait_status(std::int64_t raw) {
  int status = static_cast<int>(raw);
  if (WIFEXITED(status)) return obs::exited(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return obs::signaled(WTERMSIG(status), WCOREDUMP(status));
  if (WIFSTOPPED(status)) return "stopped(" + std::to_string(WSTOPSIG(status)) + ")";
  if (WIFCONTINUED(status)) return "continued";
  return "raw(" + std::to_string(status) + ")";
}

std::string si_code_name(std::int64_t code) {
  switch (code) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_TRAPPED: return "CLD_TRAPPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
  }
  return std::to_string(code);
}

// "fd:ino:type:fdflags:flflags:offset;..." -> canonical fd table.
std::string exec_report(const std::string& data, const Symbols& symbols) {
  std::vector<FdEntry> entries;
  std::istringstream in(data);
  std::string item;
  while (std::getline(in, item, ';')) {
    if (item.empty()) continue;
    std::vector<std::string> parts;
    std::istringstream fields(item);
    std::string part;
    while (std::getline(fields, part, ':')) parts.push_back(part);
    FdEntry entry;
    std::int64_t ino = 0, fdflags = 0, flflags = 0;
    if (parts.size() != 6 || parts[2].size() != 1 || !to_number(parts[0], entry.fd) ||
        !to_number(parts[1], ino) || !to_number(parts[3], fdflags) ||
        !to_number(parts[4], flflags) || !to_number(parts[5], entry.offset)) {
      return "garbled(" + item + ")";
    }
    entry.object = symbols.object(ino, parts[2][0]);
    entry.status_flags = static_cast<int>(flflags);
    entry.cloexec = fdflags & 1;
    entries.push_back(entry);
  }
  return obs::fd_table(entries);
}

/* ---- clone / clone3 (issue 3) ---- */
// A tid word the executor read back: the child's tid, 0, or untouched (-7).
std::string tid_word(std::int64_t word, std::int64_t child) {
  if (word == -7) return "unset";
  if (word == child) return "child";
  return std::to_string(word);
}

Observation observe_clone(const Step& step, const RawStep& raw, const Symbols& symbols) {
  std::int64_t flags = step.args[0];
  // The child is no actor: any pid that is not one of the program's is "new".
  std::string ret = symbols.pids.count(raw.ret) || raw.ret <= 0 ? symbols.pid(raw.ret) : "new";
  Observation o = Observation::returned_pid(ret);
  if (flags & FC_CLONE_PIDFD) {
    o.with("pidfd", std::to_string(raw.aux[0]));
    o.with("pidfd_cloexec", std::to_string(raw.aux[1] >= 0 && (raw.aux[1] & FD_CLOEXEC) ? 1 : 0));
  }
  std::int64_t ptid = -7, ctid = -7, plain = -1;
  std::istringstream words(raw.data);
  if (!(words >> ptid >> ctid >> plain)) return Observation().with("garbled", obs::bytes(raw.data));
  if (flags & FC_CLONE_PARENT_SETTID) o.with("ptid", tid_word(ptid, raw.ret));
  if (flags & (FC_CLONE_CHILD_SETTID | FC_CLONE_CHILD_CLEARTID)) o.with("ctid", tid_word(ctid, raw.ret));
  if (!(flags & FC_CLONE_THREAD)) {
    o.with("plain_wait", plain == 1 ? "reaped" : plain == 0 ? "ECHILD" : "?");
    o.with("status", wait_status(raw.aux[2]));
  }
  return o;
}

Observation observe(const Step& step, std::size_t index, const RawStep& raw,
                    const Symbols& symbols) {
  (void)index;
  if (raw.ret == -1 && step.op != Op::Load) return Observation::failed(raw.err);
  switch (step.op) {
    case Op::Fork:
      return Observation::returned_pid(symbols.pid(raw.ret))
          .with("child", raw.aux[1] ? std::to_string(raw.aux[0]) : "none");
    case Op::Exit:
    case Op::UExit: return Observation::no_return();
    case Op::GetPid:
    case Op::GetPpid: return Observation::returned_pid(symbols.pid(raw.ret));
    /* ---- process groups and sessions (issue 4, groups) ---- */
    case Op::SetSid:
    case Op::GetPgid:
    case Op::GetSid:
    case Op::GetPgrp: return Observation::returned_pid(symbols.pid(raw.ret));
    case Op::Wait:
    case Op::WaitPid:
    case Op::Wait4:
      if (raw.ret == 0) return Observation::returned(0);
      return Observation::returned_pid(symbols.pid(raw.ret)).with("status", wait_status(raw.aux[0]));
    case Op::WaitIdPidfd:  // issue 4, pidfd: as waitid
    case Op::WaitId: {
      Observation o = Observation::returned(raw.ret);
      o.with("si_pid", symbols.pid(raw.aux[0]));
      if (raw.aux[0] != 0) {
        o.with("si_code", si_code_name(raw.aux[1])).with("si_status", std::to_string(raw.aux[2]));
      }
      return o;
    }
    case Op::Mmap:
    case Op::Store: return Observation().with("ret", "ok");
    case Op::Load: return Observation::returned(raw.ret);
    case Op::Pipe:
    case Op::Pipe2:
      return Observation::returned(raw.ret).with(
          "fds", std::to_string(raw.aux[0]) + "," + std::to_string(raw.aux[1]));
    case Op::Read: return Observation::returned(raw.ret).with("data", obs::bytes(raw.data));
    case Op::GetFl:
      return Observation().with("ret", obs::status_flags(static_cast<int>(raw.ret)));
    case Op::Exec: return Observation().with("fds", exec_report(raw.data, symbols));
    case Op::Clone:
    case Op::Clone3: return observe_clone(step, raw, symbols);  // issue 3
    /* ---- signals (issue 4) ---- */
    case Op::Kill: {
      // a1 = 0: the effect the model predicted did not happen in time.
      Observation o = Observation::returned(raw.ret);
      if (raw.aux[1] == 0) o.with("sync", "timeout");
      return o;
    }
    case Op::Caught: {
      std::vector<int> sigs;
      for (int sig = 1; sig <= FC_MAX_SIGNAL; ++sig) {
        if (raw.aux[0] & (1LL << sig)) sigs.push_back(sig);
      }
      return Observation::returned(raw.ret).with("caught", obs::signal_list(sigs));
    }
    /* ---- pidfd and parent-death signal (issue 4, pidfd) ---- */
    case Op::PidfdPoll:
      // a0 = revents: only POLLIN and POLLNVAL are observed.
      return Observation::returned(raw.ret).with(
          "revents", (raw.aux[0] & POLLNVAL) ? "NVAL" : (raw.aux[0] & POLLIN) ? "IN" : "0");
    case Op::PidfdSendSignal: {
      Observation o = Observation::returned(raw.ret);
      if (raw.aux[1] == 0) o.with("sync", "timeout");
      return o;
    }
    case Op::GetPdeathsig:
      return Observation::returned(raw.ret).with("sig", obs::signal_name(static_cast<int>(raw.aux[0])));
    /* ---- vfork and exec (issue 3) ---- */
    case Op::Vfork:
    case Op::CloneVfork:
      return Observation::returned_pid(symbols.pid(raw.ret))
          .with("child", raw.aux[1] ? std::to_string(raw.aux[0]) : "none")
          .with("stack", symbols.pid(raw.aux[2]));
    case Op::Sigprocmask:
    case Op::Sigpending: {
      // a0: bit s for signal s; bit 0: some signal forkconf does not name.
      std::vector<int> sigs;
      for (int sig = 1; sig <= FC_MAX_SIGNAL; ++sig) {
        if (raw.aux[0] & (1LL << sig)) sigs.push_back(sig);
      }
      std::string set = obs::signal_list(sigs);
      if (raw.aux[0] & 1) set += "+other";
      return Observation::returned(raw.ret).with(step.op == Op::Sigpending ? "pending" : "old", set);
    }
    /* ---- libc layer (issue 3) ---- */
    case Op::UFork:
      return Observation::returned_pid(symbols.pid(raw.ret))
          .with("child", raw.aux[1] ? std::to_string(raw.aux[0]) : "none");
    case Op::AtforkLog: return Observation::returned(raw.ret).with("log", obs::atfork_log(raw.data));
    case Op::VforkExit: {
      // The child is no actor: any pid that is not one of the program's is "new".
      std::string ret = symbols.pids.count(raw.ret) || raw.ret <= 0 ? symbols.pid(raw.ret) : "new";
      return Observation::returned_pid(ret).with("status", wait_status(raw.aux[0]));
    }
    case Op::Fputs: return Observation().with("ret", "ok");
    case Op::Spawn: {
      Observation o = Observation::returned_pid(symbols.pid(raw.ret));
      if (!raw.aux[1]) return o.with("report", "none");
      std::vector<int> sigs;
      for (int sig = 1; sig <= FC_MAX_SIGNAL; ++sig) {
        if (raw.aux[0] & (1LL << sig)) sigs.push_back(sig);
      }
      return o.with("fds", exec_report(raw.data, symbols)).with("mask", obs::signal_list(sigs));
    }
    /* ---- clone flags (issue 3, clone_flags) ---- */
    case Op::CloneProbe: {
      // The child is no actor: any pid that is not one of the program's is "new".
      std::string ret = symbols.pids.count(raw.ret) || raw.ret <= 0 ? symbols.pid(raw.ret) : "new";
      return Observation::returned_pid(ret).with("status", wait_status(raw.aux[0]));
    }
    default: return Observation::returned(raw.ret);
  }
}

}  // namespace

Trace normalize(const Program& program, const RawResult& raw) {
  Trace trace;
  trace.steps.resize(program.steps.size());
  trace.turn = raw.turn;
  trace.message = raw.message;
  trace.end = raw.end == "ok" ? Trace::End::Ok
              : raw.end == "timeout" ? Trace::End::Timeout
                                     : Trace::End::Error;

  Symbols symbols;
  for (const auto& [actor, pid] : raw.actor_pids) symbols.pids[pid] = "P" + std::to_string(actor);
  if (raw.reaper_pid) symbols.pids[raw.reaper_pid] = "REAPER";
  /* ---- pid namespaces (issue 4, pidns) ---- */
  // P0 is the init of its own namespace: pid 1 there is P0, whatever the
  // executor recorded, and the reaper (outside) has no pid the actors can
  // see (P0's getppid is 0). A P0 that is not pid 1 shows as pid?<n>.
  if (program.pidns) {
    for (auto it = symbols.pids.begin(); it != symbols.pids.end();) {
      it = it->second == "P0" || it->second == "REAPER" ? symbols.pids.erase(it) : std::next(it);
    }
    symbols.pids[1] = "P0";
  }

  std::vector<const RawStep*> by_step(program.steps.size(), nullptr);
  for (const RawStep& step : raw.steps) by_step[step.step] = &step;

  // Bind objects to symbols in step order: a pipe is named after the step
  // that made it, a file after its scratch name.
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    const RawStep* r = by_step[i];
    if (!r || r->ret == -1) continue;
    const Step& step = program.steps[i];
    if (step.op == Op::Pipe || step.op == Op::Pipe2) {
      symbols.objects.emplace(r->aux[2], "pipe@" + std::to_string(i));
    } else if (step.op == Op::Open || step.op == Op::OpenAt ||
               step.op == Op::Fopen /* issue 3 */) {
      symbols.objects.emplace(r->aux[0], "f" + std::to_string(step.args[0]));
    } else if (step.op == Op::PidfdOpen && step.args[0] >= 0) {
      // issue 4, pidfd: a2 = the pidfd's inode (pidfs: one per process).
      symbols.objects.emplace(r->aux[2], "pidfd:P" + std::to_string(step.args[0]));
    } else if (step.op == Op::Spawn && step.args[0] == FC_SPAWN_FA_OPEN && r->aux[1]) {
      // issue 3: addopen(fd, "f1") in the child: f1 is what the new image
      // reports at that descriptor ("fd:ino:type:...").
      std::istringstream in(r->data);
      std::string item;
      while (std::getline(in, item, ';')) {
        std::int64_t fd = -1, ino = 0;
        std::size_t colon = item.find(':');
        if (colon == std::string::npos || !to_number(item.substr(0, colon), fd)) continue;
        std::size_t colon2 = item.find(':', colon + 1);
        if (fd != step.args[1] || colon2 == std::string::npos ||
            !to_number(item.substr(colon + 1, colon2 - colon - 1), ino)) {
          continue;
        }
        symbols.objects.emplace(ino, "f1");
      }
    }
  }

  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    const RawStep* r = by_step[i];
    StepTrace& out = trace.steps[i];
    if (!r) continue;
    out.progress = static_cast<int>(r->aux[3]);
    if (r->state == "blocked") {
      out.state = StepTrace::State::Blocked;
      continue;
    }
    out.state = r->state == "late" ? StepTrace::State::Late : StepTrace::State::Done;
    out.obs = observe(program.steps[i], i, *r, symbols);
  }
  return trace;
}

}  // namespace fc
