// vfork area (issue 3): vfork(2) and clone(CLONE_VM|CLONE_VFORK|SIGCHLD).
//
// The caller's step blocks (model.h) until its child calls exec or _exit or
// is killed; until then the child shares the caller's memory: its mappings
// are the caller's own memory objects, MAP_PRIVATE ones included, so its
// stores are seen by the caller. Everything else is inherited as by fork.
//
// Quotes: oracles/spec/vfork.md (and fork.md, signal.md for what is inherited).
#include "oracles/rules.h"

namespace fc::oracle {
namespace {

Check check_vfork(const Ctx& c) {
  Check k;
  check_names_new_actor(c, k, "vfork");
  // posix:fork:EAGAIN:1 is not modelled (as for fork). coverage:fixme
  return k;
}

void effect_vfork(const Ctx& c, Effect& e) {
  State& s = e.next;
  const ActorId child = c.step.out;
  if (s.procs.size() <= static_cast<std::size_t>(child)) s.procs.resize(child + 1);
  const Process& parent = s.proc(c.self());

  Process p;
  p.life = Life::Alive;
  // man:vfork:LINUX:1 "just like fork(2)": posix:fork:PPID:1 the caller is the
  // parent; man:vfork:INHERIT:1 descriptors (posix:fork:FDS:1, the same open
  // file descriptions) and signal dispositions are inherited.
  p.parent = c.self();
  p.fds = parent.fds;
  p.disp = parent.disp;
  p.nocldstop = parent.nocldstop;
  p.nocldwait = parent.nocldwait;
  p.caught = parent.caught;  // the handler's log is memory: shared, not observable in the child
  // man:signal:MASK_FORK:1 the mask is inherited; man:fork:PENDING:1 the
  // pending set starts empty.
  p.mask = parent.mask;
  p.pending = 0;
  // As for fork (process.cc): the process group and session
  // (man:setpgid:FORK:1, man:setsid:FORK:1), the alternate signal stack, the
  // scheduling policy without the reset-on-fork flag and the affinity
  // (inherit.cc). Record locks and interval timers start empty, and nothing
  // is wiped: MADV_WIPEONFORK acts on a copied address space, which a vfork
  // child does not get.
  p.pgid = parent.pgid;
  p.sid = parent.sid;
  p.altstack = parent.altstack;
  p.sched = static_cast<std::uint8_t>(parent.sched & ~FC_SCHED_RESET_ON_FORK);
  p.one_cpu = parent.one_cpu;
  // man:vfork:SHARE:1 "the child shares all memory with its parent": the
  // child's mappings are the parent's memory objects, MAP_PRIVATE too
  // (man:clone:VM:1 "memory writes performed by the calling process or by the
  // child process are also visible in the other process").
  for (Mapping m : parent.regions) {
    // PLANTED BUG (tests only): the child gets copies of private regions, as by fork.
    if (planted(c, Profile::PlantedBug::VforkCopiesMemory) && m.kind == FC_MAP_PRIVATE) {
      s.memories.push_back(s.memories.at(m.memory));
      m.memory = static_cast<int>(s.memories.size() - 1);
    }
    p.regions.push_back(m);
  }
  p.vfork_shared = true;
  s.proc(child) = std::move(p);

  // man:vfork:SUSPEND:1 the caller is suspended until the child terminates
  // or calls execve: the step blocks; wake_vfork lets it return.
  block(c, e);
  e.cite("man:vfork:SUSPEND:1").cite("man:vfork:SHARE:1").cite("man:vfork:INHERIT:1");
  e.cite("posix:fork:PPID:1").cite("posix:fork:FDS:1").cite("man:signal:MASK_FORK:1");
  e.cite("man:fork:PENDING:1");
  if (c.step.op == Op::CloneVfork) e.cite("man:clone:VFORK:1").cite("man:clone:VM:1");
}

StepResult rule_vfork(const Ctx& c) {
  Check k = check_vfork(c);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_vfork(c, e);
  return finish(c, std::move(e));
}

}  // namespace

StepResult rule_Vfork(const Ctx& c) { return rule_vfork(c); }
StepResult rule_CloneVfork(const Ctx& c) { return rule_vfork(c); }

Wake wake_vfork(State& s, const Program& program, std::size_t blocked, Observation& obs,
                std::vector<std::string>& rules) {
  const ActorId child = program.steps.at(blocked).out;
  const Process& p = s.proc(child);
  if (p.life == Life::Alive && p.vfork_shared) return Wake::Stays;
  // man:vfork:SUSPEND:1 / man:clone:VFORK:1: the child has exited, been
  // killed or called exec. posix:fork:RET:1 (man:vfork:LINUX:1) the caller
  // gets the child's pid, the child got 0; man:vfork:SHARE:1 the word the
  // child wrote into the caller's stack frame is seen by the caller.
  obs = Observation::returned_pid(actor_symbol(child))
            .with("child", "0")
            .with("stack", actor_symbol(child));
  rules.push_back("man:vfork:SUSPEND:1");
  rules.push_back("posix:fork:RET:1");
  rules.push_back("man:vfork:SHARE:1");
  return Wake::Returned;
}

std::optional<Special> vfork_child_refusal(const State& s, const Step& step) {
  if (!s.proc(step.actor).vfork_shared) return std::nullopt;
  switch (step.op) {
    case Op::Store:
    case Op::Load:
    case Op::GetPid:
    case Op::GetPpid:
    case Op::Write:
    case Op::Close:
    case Op::Dup:
    case Op::Dup2:
    case Op::GetFd:
    case Op::SetFd:
    case Op::Exec:
    case Op::UExit: return std::nullopt;
    default: break;
  }
  // posix:vfork:UNDEFINED:1 "the behavior is undefined if the process created
  // by vfork() ... calls any other function before successfully calling
  // _exit() or one of the exec family of functions"; man:vfork:EXIT:1 names
  // exit(3). forkconf allows the few single calls listed in spec/vfork.md.
  return Special{Special::Kind::Undefined,
                 std::string(info(step.op).name) + " in a vfork child before exec or _exit " +
                     "(posix:vfork:UNDEFINED:1)"};
}

}  // namespace fc::oracle
