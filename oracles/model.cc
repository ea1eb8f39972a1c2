// The model's entry points: the initial state, apply() (refusals common to
// every op, dispatch through ops.def, the blocking/completion machinery),
// the generator views and describe().
#include "oracles/model.h"

#include <algorithm>
#include <sstream>

#include "oracles/rules.h"
#include "oracles/state.h"

namespace fc::oracle {

// ---- State queries and updates -----------------------------------------------

std::string actor_symbol(ActorId a) {
  return a == kReaper ? std::string("REAPER") : "P" + std::to_string(a);
}

const FdSlot* State::fd(ActorId a, std::int64_t fd) const {
  for (const FdSlot& slot : proc(a).fds) {
    if (slot.fd == fd) return &slot;
  }
  return nullptr;
}

FdSlot* State::fd_mut(ActorId a, std::int64_t fd) {
  for (FdSlot& slot : proc(a).fds) {
    if (slot.fd == fd) return &slot;
  }
  return nullptr;
}

const Mapping* State::mapping(ActorId a, RegionId r) const {
  for (const Mapping& m : proc(a).regions) {
    if (m.region == r) return &m;
  }
  return nullptr;
}

std::vector<ActorId> State::children(ActorId parent) const {
  std::vector<ActorId> result;
  for (std::size_t a = 0; a < procs.size(); ++a) {
    const Process& p = procs[a];
    if (p.parent == parent && (p.life == Life::Alive || p.life == Life::Zombie)) {
      result.push_back(static_cast<ActorId>(a));
    }
  }
  return result;
}

int State::lowest_free_fd(ActorId a, int min) const {
  int candidate = std::max(min, 0);
  for (const FdSlot& slot : proc(a).fds) {  // ascending
    if (slot.fd < candidate) continue;
    if (slot.fd > candidate) break;
    ++candidate;
  }
  return candidate;
}

namespace {
bool pipe_end_open(const State& s, int pipe, bool want_write) {
  for (const Process& p : s.procs) {
    for (const FdSlot& slot : p.fds) {
      const Ofd& ofd = s.ofds[slot.ofd];
      if (ofd.object.kind == ObjectKind::Pipe && ofd.object.index == pipe &&
          (want_write ? ofd.writable() : ofd.readable())) {
        return true;
      }
    }
  }
  return false;
}
}  // namespace

bool State::pipe_has_readers(int pipe) const { return pipe_end_open(*this, pipe, false); }
bool State::pipe_has_writers(int pipe) const { return pipe_end_open(*this, pipe, true); }

std::string State::object_name(const ObjectRef& object) const {
  switch (object.kind) {
    case ObjectKind::Null: return "null";
    case ObjectKind::File: return "f" + std::to_string(object.index);
    case ObjectKind::Pipe: return "pipe@" + std::to_string(pipes.at(object.index).created_by);
    case ObjectKind::Pidfd: return "pidfd:" + actor_symbol(object.index);  // issue 4
  }
  return "?";  // coverage:impossible
}

int State::add_ofd(const Ofd& ofd) {
  ofds.push_back(ofd);
  return static_cast<int>(ofds.size() - 1);
}

void State::install_fd(ActorId a, int fd, int ofd, bool cloexec) {
  std::vector<FdSlot>& fds = proc(a).fds;
  auto it = std::lower_bound(fds.begin(), fds.end(), fd,
                             [](const FdSlot& slot, int value) { return slot.fd < value; });
  if (it != fds.end() && it->fd == fd) {
    release_record_lock(a, it->ofd);  // issue 3: fd was closed first (dup2/dup3)
    *it = FdSlot{fd, ofd, cloexec};
  } else {
    fds.insert(it, FdSlot{fd, ofd, cloexec});
  }
}

void State::remove_fd(ActorId a, int fd) {
  if (const FdSlot* slot = this->fd(a, fd)) release_record_lock(a, slot->ofd);  // issue 3
  std::vector<FdSlot>& fds = proc(a).fds;
  fds.erase(std::remove_if(fds.begin(), fds.end(), [&](const FdSlot& slot) { return slot.fd == fd; }),
            fds.end());
}

// ---- Check ----------------------------------------------------------------------

void Check::raise(int errnum, std::string rule) {
  for (auto& [err, rules] : errors_) {
    if (err == errnum) {
      rules.push_back(std::move(rule));
      return;
    }
  }
  errors_.push_back({errnum, {std::move(rule)}});
}

void Check::refuse(Special::Kind kind, std::string message) {
  if (!special_) special_ = Special{kind, std::move(message)};
}

StepResult Check::result(const State& state) const {
  StepResult r;
  if (special_) {
    r.special = special_;
    return r;
  }
  // spec/errors.md posix:errors:ORDER:1 "any one of the possible errors may be
  // returned": a failed call changes nothing, whichever errno it reports.
  auto unchanged = std::make_shared<const State>(state);
  for (const auto& [err, rules] : errors_) {
    Outcome o;
    o.obs = Observation::failed(err);
    o.next = unchanged;
    o.rules = rules;
    o.rules.push_back("posix:errors:ORDER:1");
    r.outcomes.push_back(std::move(o));
  }
  return r;
}

// ---- Blocking and completion ---------------------------------------------------

void block(const Ctx& c, Effect& e) {
  e.next.proc(c.self()).blocked_step = static_cast<int>(c.index);
  e.obs = Observation::blocked();
}

namespace {

// After every step, every blocked step whose condition now holds returns: a
// wait whose child has exited, a read whose pipe has data or no writer left.
// Blocked steps are visited oldest first and the loop repeats until nothing
// changes, so the completion order inside one step is deterministic.
std::optional<Special> settle(const Program& program, Effect& e, std::vector<Completion>& done) {
  for (bool progress = true; progress;) {
    progress = false;
    std::vector<std::pair<int, ActorId>> blocked;
    for (std::size_t a = 0; a < e.next.procs.size(); ++a) {
      int step = e.next.procs[a].blocked_step;
      if (step >= 0) blocked.push_back({step, static_cast<ActorId>(a)});
    }
    std::sort(blocked.begin(), blocked.end());
    for (auto [step, actor] : blocked) {
      Observation obs;
      const Step& waiting = program.steps.at(static_cast<std::size_t>(step));
      Wake wake = waiting.op == Op::Read
                      ? wake_read(e.next, program, static_cast<std::size_t>(step), obs, e.rules)
                  /* ---- vfork and exec (issue 3) ---- */
                  : waiting.op == Op::Vfork || waiting.op == Op::CloneVfork
                      ? wake_vfork(e.next, program, static_cast<std::size_t>(step), obs, e.rules)
                      : wake_wait(e.next, program, static_cast<std::size_t>(step), obs, e.rules);
      if (wake == Wake::Ambiguous) {
        return Special{Special::Kind::NotModeled,
                       "step " + std::to_string(step) + " could return in more than one way"};
      }
      if (wake == Wake::Returned) {
        e.next.proc(actor).blocked_step = -1;
        done.push_back(Completion{static_cast<std::size_t>(step), std::move(obs)});
        progress = true;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

StepResult finish(const Ctx& c, std::vector<Effect> effects) {
  StepResult r;
  for (Effect& e : effects) {
    if (e.special) {
      r.outcomes.clear();
      r.special = e.special;
      return r;
    }
    std::vector<Completion> done;
    if (auto special = settle(c.program, e, done)) {
      r.outcomes.clear();
      r.special = special;
      return r;
    }
    Outcome o;
    o.obs = std::move(e.obs);
    o.completed = std::move(done);
    o.next = std::make_shared<const State>(std::move(e.next));
    o.rules = std::move(e.rules);
    o.sync = e.sync;  // issue 4
    o.deaths = std::move(e.deaths);  // issue 4, pidfd
    r.outcomes.push_back(std::move(o));
  }
  if (r.outcomes.empty()) {  // coverage:impossible (every rule yields an effect)
    r.special = Special{Special::Kind::NotModeled, "no outcome"};
  }
  return r;
}

StepResult finish(const Ctx& c, Effect effect) {
  std::vector<Effect> effects;
  effects.push_back(std::move(effect));
  return finish(c, std::move(effects));
}

// ---- apply ------------------------------------------------------------------------

namespace {

StepResult refuse(std::string message) {
  StepResult r;
  r.special = Special{Special::Kind::Invalid, std::move(message)};
  return r;
}

// Arguments the program cannot pass in this state (the IR's ranges, restated
// so the model never trusts its caller): the generator and the shrinker must
// not produce such steps.
std::optional<std::string> argument_refusal(const State& s, const Step& step, int kind,
                                            std::int64_t value) {
  auto range = [&](std::int64_t lo, std::int64_t hi) -> std::optional<std::string> {
    if (value < lo || value > hi) return "argument " + std::to_string(value) + " out of range";
    return std::nullopt;
  };
  switch (kind) {
    case FC_ARG_NONE: return std::nullopt;
    case FC_ARG_FD:
      // Descriptors >= FC_FIRST_RESERVED_FD are the executor's own.
      if (value >= FC_FIRST_RESERVED_FD) return "fd " + std::to_string(value) + " is reserved";
      return range(-1, FC_MAX_PROGRAM_FD);
    case FC_ARG_INT: return range(-(1LL << 40), 1LL << 40);
    case FC_ARG_PIDSEL:
      if (value == FC_PIDSEL_ANY || value == FC_PIDSEL_PGRP) return std::nullopt;
      // issue 4 (groups): waitpid(-pgid), only for waitpid and wait4.
      if (FC_PIDSEL_IS_GROUP(value)) {
        if (step.op != Op::WaitPid && step.op != Op::Wait4) {
          return std::string("a group pid selector is for waitpid and wait4 only");
        }
        value = FC_PIDSEL_GROUP_ACTOR(value);
      }
      if (value < 0 || !s.created(static_cast<ActorId>(value))) {
        return "pid selector names an actor that does not exist yet";
      }
      return std::nullopt;
    case FC_ARG_REGION:
      if (!s.mapping(step.actor, static_cast<RegionId>(value))) {
        return "region M" + std::to_string(value) + " is not mapped in " + actor_symbol(step.actor);
      }
      return std::nullopt;
    case FC_ARG_SLOT: return range(0, FC_REGION_SLOTS - 1);
    case FC_ARG_VALUE: return std::nullopt;
    case FC_ARG_FILE: return range(0, FC_MAX_FILES - 1);
    case FC_ARG_OFLAGS:
    case FC_ARG_PIPEFLAGS:
    case FC_ARG_DUPFLAGS: return range(0, 0xff);
    case FC_ARG_WAITOPTS:
      return range(0, FC_WNOHANG | FC_WNOWAIT | FC_WEXITED | FC_WUNTRACED | FC_WCONTINUED);
    /* ---- signals (issue 4) ---- */
    case FC_ARG_SIGNAL:
      // wire.h: only the named signals (and 0, the probe) are used.
      if (value >= 0 && value <= FC_MAX_SIGNAL &&
          obs::signal_from_name(obs::signal_name(static_cast<int>(value))) == value) {
        return std::nullopt;
      }
      return "signal " + std::to_string(value) + " is not one forkconf programs may use";
    case FC_ARG_DISP: return range(FC_DISP_DFL, FC_DISP_HANDLER);
    case FC_ARG_SAFLAGS: return range(0, FC_SA_NOCLDSTOP | FC_SA_NOCLDWAIT);
    case FC_ARG_IDTYPE: return range(FC_P_ALL, FC_P_PGID);
    case FC_ARG_FDFLAGS: return range(0, FC_FD_CLOEXEC);
    case FC_ARG_WHENCE: return range(FC_SEEK_SET, FC_SEEK_END);
    case FC_ARG_MAPKIND: return range(FC_MAP_PRIVATE, FC_MAP_SHARED);
    case FC_ARG_COUNT: return range(0, FC_MAX_IO);
    case FC_ARG_CLONEFLAGS: return range(0, FC_CLONE_ALL);      // issue 3
    case FC_ARG_EXITSIG: return range(0, FC_EXITSIG_WIDE);      // issue 3
    case FC_ARG_CLONE3ARGS: return range(0, FC_C3_LAST);        // issue 3
    /* ---- process groups and sessions (issue 4, groups) ---- */
    case FC_ARG_PROCSEL:
    case FC_ARG_PGID:
      if (value == FC_PROCSEL_SELF || (kind == FC_ARG_PGID && value == FC_PGID_NEGATIVE)) {
        return std::nullopt;
      }
      if (value < 0 || !s.created(static_cast<ActorId>(value))) {
        return "argument names an actor that does not exist yet";
      }
      return std::nullopt;
    /* ---- vfork and exec (issue 3) ---- */
    case FC_ARG_SIGHOW: return range(FC_SIG_BLOCK, FC_SIG_HOW_BAD);
    case FC_ARG_SIGSET:
      if (value < 0 || (value & ~static_cast<std::int64_t>(FC_SIGSET_MASKABLE)) != 0) {
        return "signal set " + std::to_string(value) + " holds signals forkconf does not mask";
      }
      return std::nullopt;
    case FC_ARG_ATFORK: return range(0, FC_ATFORK_ALL);         // issue 3 (libc layer)
    case FC_ARG_SPAWNFA: return range(0, FC_SPAWN_FA_LAST);     // issue 3
    case FC_ARG_SPAWNATTR: return range(0, FC_SPAWN_ALL);       // issue 3
    case FC_ARG_BYTES:
      if (step.data.size() > FC_MAX_IO) return std::string("data longer than FC_MAX_IO");
      return std::nullopt;
    /* ---- inheritance (issue 3) ---- */
    case FC_ARG_LOCKKIND: return range(0, FC_LOCK_LAST);
    case FC_ARG_MADVICE: return range(FC_MADV_WIPEONFORK, FC_MADV_KEEPONFORK);
    case FC_ARG_ITIMER: return range(0, FC_ITIMER_LAST);
    case FC_ARG_ALTSTACK: return range(0, FC_ALTSTACK_LAST);
    case FC_ARG_PROBE: return range(0, FC_PROBE_LAST);  // issue 3, clone_flags
  }
  return "unknown argument kind";  // coverage:impossible
}

}  // namespace

StepResult apply(const State& state, const Program& program, std::size_t index) {
  if (index >= program.steps.size()) return refuse("no such step");
  const Step& step = program.steps[index];
  // model.h: an actor runs steps only while alive, and none while a step of
  // its own is blocked.
  if (!state.created(step.actor)) return refuse(actor_symbol(step.actor) + " does not exist");
  const Process& self = state.proc(step.actor);
  if (self.life != Life::Alive) return refuse(actor_symbol(step.actor) + " has exited");
  if (self.blocked_step >= 0) {
    return refuse(actor_symbol(step.actor) + " is blocked in step " +
                  std::to_string(self.blocked_step));
  }
  // issue 4: a stopped process runs nothing until it is continued.
  if (self.stopped) return refuse(actor_symbol(step.actor) + " is stopped");
  /* ---- vfork and exec (issue 3) ---- */
  if (auto special = vfork_child_refusal(state, step)) {
    StepResult r;
    r.special = special;
    return r;
  }
  const OpInfo& op = info(step.op);
  for (int a = 0; a < 3; ++a) {
    if (auto why = argument_refusal(state, step, op.arg_kinds[a], step.args[a])) {
      return refuse(std::string(op.name) + ": " + *why);
    }
  }

  Ctx c{state, program, index, step};
  switch (step.op) {
#define FC_OP(Enum, Text, Area, A0, A1, A2, Flags) \
  case Op::Enum: return rule_##Enum(c);
#include "harness/ir/ops.def"
#undef FC_OP
  }
  return refuse("unknown op");  // coverage:impossible
}

StatePtr initial_state(const Profile& profile) {
  auto s = std::make_shared<State>();
  s->profile = std::make_shared<const Profile>(profile);
  s->procs.resize(1);
  Process& p0 = s->procs[0];
  p0.life = Life::Alive;
  p0.parent = kReaper;  // the harness starts P0 as a child of the reaper
  // issue 4 (groups): the reaper calls setsid() and P0 setpgid(0, 0)
  // (harness/executor/supervisor.cc RunReaper): P0 leads a group of its own
  // in the reaper's session.
  p0.pgid = 0;
  p0.sid = kReaper;
  // fds 0, 1 and 2: one open file description of /dev/null, O_RDWR.
  int null_ofd = s->add_ofd(Ofd{ObjectRef{ObjectKind::Null, 0}, FC_O_RDWR, false, false, 0});
  for (int fd = 0; fd < 3; ++fd) s->install_fd(0, fd, null_ofd, false);
  return s;
}

// ---- Views ----------------------------------------------------------------------

std::vector<ActorView> actor_views(const State& state) {
  std::vector<ActorView> views;
  for (std::size_t a = 0; a < state.procs.size(); ++a) {
    const Process& p = state.procs[a];
    if (p.life == Life::Unborn) continue;
    ActorView v;
    v.id = static_cast<ActorId>(a);
    v.alive = p.life == Life::Alive;
    v.blocked = p.blocked_step >= 0;
    v.execed = p.execed;
    v.mask = p.mask;  // issue 3
    for (const FdSlot& slot : p.fds) v.fds.push_back(slot.fd);
    for (const FdSlot& slot : p.fds) {  // issue 4, pidfd
      if (state.ofds[slot.ofd].object.kind == ObjectKind::Pidfd) v.pidfds.push_back(slot.fd);
    }
    for (const Mapping& m : p.regions) v.regions.push_back(m.region);
    for (const Stream& st : p.streams) v.streams.push_back(st.file);  // issue 3
    v.children = state.children(v.id);
    for (ActorId child : v.children) {
      if (state.proc(child).life == Life::Zombie) v.zombie_children.push_back(child);
    }
    views.push_back(std::move(v));
  }
  return views;
}

int next_actor_id(const State& state) {
  int next = 1;
  for (std::size_t a = 0; a < state.procs.size(); ++a) {
    if (state.procs[a].life != Life::Unborn) next = static_cast<int>(a) + 1;
  }
  return next;
}

int next_region_id(const State& state) {
  int next = 0;
  for (int r = 0; r < 32; ++r) {
    if (state.regions_created & (1u << r)) next = r + 1;
  }
  return next;
}

bool equivalent(const State& a, const State& b) { return a == b; }

std::string describe(const State& state) {
  std::ostringstream out;
  static const char* kLife[] = {"unborn", "alive", "zombie", "reaped"};
  for (std::size_t a = 0; a < state.procs.size(); ++a) {
    const Process& p = state.procs[a];
    if (p.life == Life::Unborn) continue;
    ActorId id = static_cast<ActorId>(a);
    out << actor_symbol(id) << ": " << kLife[static_cast<int>(p.life)]
        << " parent=" << actor_symbol(p.parent);
    if (p.life == Life::Zombie || p.life == Life::Reaped) out << " status=" << p.exit_status;
    if (p.execed) out << " execed";
    if (p.blocked_step >= 0) out << " blocked@" << p.blocked_step;
    // issue 4
    if (p.term_sig) out << " killed-by=" << obs::signal_name(p.term_sig);
    if (p.stopped) out << " stopped";
    if (p.pdeathsig) out << " pdeathsig=" << obs::signal_name(p.pdeathsig);  // issue 4, pidfd
    out << " pgid=" << actor_symbol(p.pgid) << " sid=" << actor_symbol(p.sid);  // issue 4 (groups)
    // issue 3
    if (p.vfork_shared) out << " vfork-shared";
    if (p.mask) out << " mask=0x" << std::hex << p.mask << std::dec;
    if (p.pending) out << " pending=0x" << std::hex << p.pending << std::dec;
    if (p.caught) {
      std::vector<int> sigs;
      for (int sig = 1; sig <= FC_MAX_SIGNAL; ++sig) {
        if (p.caught & (1u << sig)) sigs.push_back(sig);
      }
      out << " caught=" << obs::signal_list(sigs);
    }
    /* ---- libc layer (issue 3) ---- */
    if (!p.atfork.empty()) out << " atfork=" << p.atfork.size();
    if (!p.atfork_log.empty()) out << " atfork_log=" << obs::atfork_log(p.atfork_log);
    for (const Stream& st : p.streams) {
      out << " stream(f" << st.file << ",fd" << st.fd << ")=" << obs::bytes(st.buffer);
    }
    out << "\n";
    if (!p.fds.empty()) out << "  fds " << obs::fd_table(fd_entries(state, id)) << "\n";
    for (const Mapping& m : p.regions) {
      out << "  M" << m.region << " " << (m.kind == FC_MAP_SHARED ? "shared" : "private")
          << " mem#" << m.memory << " [";
      const MemoryObject& mem = state.memories.at(m.memory);
      for (std::size_t i = 0; i < mem.size(); ++i) out << (i ? " " : "") << mem[i];
      out << "]\n";
    }
  }
  for (std::size_t f = 0; f < state.files.size(); ++f) {
    if (state.files[f].exists) {
      out << "f" << f << ": " << state.files[f].data.size() << " bytes "
          << obs::bytes(state.files[f].data) << "\n";
    }
  }
  for (std::size_t i = 0; i < state.pipes.size(); ++i) {
    const PipeObject& pipe = state.pipes[i];
    out << "pipe@" << pipe.created_by << ": buffer " << obs::bytes(pipe.buffer)
        << (state.pipe_has_readers(static_cast<int>(i)) ? "" : " no-readers")
        << (state.pipe_has_writers(static_cast<int>(i)) ? "" : " no-writers") << "\n";
  }
  return out.str();
}

}  // namespace fc::oracle
