// Memory area: anonymous mappings and what fork does to them.
//
// mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE or MAP_SHARED |
// MAP_ANONYMOUS) names a region; store and load touch 64-bit slots in it.
// Region existence in the actor is checked by apply() (unmapped = Invalid).
//
// Quotes: oracles/spec/mmap.md, fork.md.
#include "oracles/rules.h"

namespace fc::oracle {
namespace {

Check check_mmap(const Ctx& c) {
  Check k;
  // forkconf IR: the step names a region created once.
  if (c.step.out < 0 || c.step.out >= FC_MAX_REGIONS) {
    k.invalid("mmap must name a region M0..M" + std::to_string(FC_MAX_REGIONS - 1));
  } else if (c.s.regions_created & (1u << c.step.out)) {
    k.invalid("region M" + std::to_string(c.step.out) + " already created");
  }
  // posix:mmap:ENOMEM:1 is not modelled: one page per region, at most
  // FC_MAX_REGIONS regions. coverage:fixme
  return k;
}

void effect_mmap(const Ctx& c, Effect& e) {
  State& s = e.next;
  // man:mmap:ANON:1 "The mapping is not backed by any file; its contents are
  // initialized to zero."
  s.memories.push_back(MemoryObject{});
  Mapping m{c.step.out, static_cast<int>(c.step.args[0]),
            static_cast<int>(s.memories.size() - 1)};
  std::vector<Mapping>& regions = s.proc(c.self()).regions;
  auto it = regions.begin();
  while (it != regions.end() && it->region < m.region) ++it;
  regions.insert(it, m);
  s.regions_created |= 1u << c.step.out;
  e.obs = Observation().with("ret", "ok");
  e.cite("man:mmap:ANON:1");
  // posix:mmap:SHARED:1 / posix:mmap:PRIVATE:1 decide what fork shares.
  e.cite(m.kind == FC_MAP_SHARED ? "posix:mmap:SHARED:1" : "posix:mmap:PRIVATE:1");
}

void effect_store(const Ctx& c, Effect& e) {
  const Mapping* m = e.next.mapping(c.self(), static_cast<RegionId>(c.step.args[0]));
  // posix:mmap:SHARED:1 "If MAP_SHARED is specified, write references shall
  // change the underlying object." posix:mmap:PRIVATE:1 "If MAP_PRIVATE is
  // specified, modifications to the mapped data by the calling process shall
  // be visible only to the calling process": the private object is the
  // actor's own since fork copied it.
  e.next.memories.at(m->memory).at(static_cast<std::size_t>(c.step.args[1])) = c.step.args[2];
  // PLANTED BUG (tests only): a private store reaches every copy of the region.
  if (planted(c, Profile::PlantedBug::PrivateWritesShared) && m->kind == FC_MAP_PRIVATE) {
    for (const Process& other : e.next.procs) {
      for (const Mapping& copy : other.regions) {
        if (copy.region == m->region) {
          e.next.memories.at(copy.memory).at(static_cast<std::size_t>(c.step.args[1])) =
              c.step.args[2];
        }
      }
    }
  }
  e.obs = Observation().with("ret", "ok");
  e.cite(m->kind == FC_MAP_SHARED ? "posix:mmap:SHARED:1" : "posix:mmap:PRIVATE:1");
}

void effect_load(const Ctx& c, Effect& e) {
  const Mapping* m = c.s.mapping(c.self(), static_cast<RegionId>(c.step.args[0]));
  // man:mmap:ANON:1 never-written slots read 0.
  e.obs = Observation::returned(
      c.s.memories.at(m->memory).at(static_cast<std::size_t>(c.step.args[1])));
  e.cite(m->kind == FC_MAP_SHARED ? "posix:mmap:SHARED:1" : "posix:mmap:PRIVATE:1");
}

}  // namespace

StepResult rule_Mmap(const Ctx& c) {
  Check k = check_mmap(c);
  if (!k.passed()) return k.result(c.s);
  Effect e(c.s);
  effect_mmap(c, e);
  return finish(c, std::move(e));
}

StepResult rule_Store(const Ctx& c) {
  Effect e(c.s);
  effect_store(c, e);
  return finish(c, std::move(e));
}

StepResult rule_Load(const Ctx& c) {
  Effect e(c.s);
  effect_load(c, e);
  return finish(c, std::move(e));
}

}  // namespace fc::oracle
