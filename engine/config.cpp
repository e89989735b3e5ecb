#include "ocop/config.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace ocop {

namespace {

size_t slots_for(size_t n) {
  size_t size = 16;
  while (size < 2 * n) size *= 2;  // at most half full: short probes
  return size;
}

// Builds an open-addressing table of positions + 1 for the keys of `items`. A key seen before
// keeps its first position (the loader refuses duplicates; this only makes lookups stable).
template <class T, class Key>
std::vector<std::uint32_t> build_slots(const std::vector<T>& items, Key key) {
  std::vector<std::uint32_t> slots(slots_for(items.size()), 0);
  const size_t mask = slots.size() - 1;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string_view k = key(items[i]);
    for (size_t s = std::hash<std::string_view>{}(k)&mask;; s = (s + 1) & mask) {
      if (slots[s] == 0) {
        slots[s] = static_cast<std::uint32_t>(i + 1);
        break;
      }
      if (key(items[slots[s] - 1]) == k) break;
    }
  }
  return slots;
}

template <class T, class Key>
const T* find_slot(const std::vector<std::uint32_t>& slots, const std::vector<T>& items, std::string_view k,
                   Key key) {
  if (slots.empty()) return nullptr;  // not indexed
  const size_t mask = slots.size() - 1;
  for (size_t s = std::hash<std::string_view>{}(k)&mask; slots[s] != 0; s = (s + 1) & mask) {
    const T& item = items[slots[s] - 1];
    if (key(item) == k) return &item;
  }
  return nullptr;
}

std::string_view unit_key(const Unit& u) { return u.code; }
std::string_view user_key(const User& u) { return u.id; }

EventMask events_of(const std::map<std::string, EventMask>& roles, const User& u) {
  EventMask events = 0;
  for (const auto& r : u.roles) {
    auto it = roles.find(r);
    if (it != roles.end()) events |= it->second;
  }
  return events;
}

// Entries of one kind read one at a time before the command reads them all at once: a command
// that meets this many (the scheduler, a report, an import) meets most of a national directory,
// and one query for all is cheaper than thousands of one row each; `show` meets two or three.
constexpr size_t kReadWholeAfter = 64;

// One kind of entry (units or users) of a directory read on demand: the entries read one at a
// time (in nodes: their addresses never move, so the pointers handed out stay valid for the
// Config's life; nullopt: none with that key), and whether all have been read into the Config.
template <class T>
struct Entries {
  std::atomic<bool> whole{false};  // set (release) once the Config holds them all, indexed
  std::unordered_map<std::string, std::optional<T>> seen;
};

// Whether `flag` is set or there is nothing read on demand.
bool in_memory(const std::atomic<bool>* flag) { return !flag || flag->load(std::memory_order_acquire); }

// All entries of a kind: `items` as they are (no `e`: nothing is read on demand), or first read
// (`read_all` into a fresh vector) and indexed (`index`) once, under `lock`. A StoreError leaves
// everything as it was.
template <class T, class ReadAll, class Index>
const std::vector<T>& all_of(std::mutex* lock, Entries<T>* e, std::vector<T>& items, ReadAll read_all, Index index) {
  if (in_memory(e ? &e->whole : nullptr)) return items;
  std::lock_guard<std::mutex> hold(*lock);
  if (!e->whole.load(std::memory_order_relaxed)) {
    std::vector<T> fresh;
    read_all(fresh);
    items = std::move(fresh);
    index();
    e->whole.store(true, std::memory_order_release);
  }
  return items;
}

// The entry `key` of a kind: found in the entries held (`find`) once all are, else read once
// (`read_one`, false for none) and kept, until kReadWholeAfter are kept; then all are read
// (`all`) and it is found among them.
template <class T, class ReadOne, class All, class Find>
const T* look_up(std::mutex* lock, Entries<T>* e, const std::string& key, ReadOne read_one, All all, Find find) {
  if (in_memory(e ? &e->whole : nullptr)) return find();
  {
    std::lock_guard<std::mutex> hold(*lock);
    auto it = e->seen.find(key);
    if (it == e->seen.end() && e->seen.size() < kReadWholeAfter) {
      T t;
      const bool found = read_one(t);  // a StoreError keeps nothing
      it = e->seen.emplace(key, found ? std::optional<T>(std::move(t)) : std::nullopt).first;
    }
    if (it != e->seen.end()) return it->second ? &*it->second : nullptr;
  }
  all();  // a command that meets this many entries meets most of them
  return find();
}

}  // namespace

// What a Config whose directory is read on demand keeps: the reader, its units and its users,
// each kind read whole on its own (units_under needs no user).
struct Config::OnDemand {
  OnDemand(std::shared_ptr<const DirectoryReader> r, bool email) : reader(std::move(r)), any_user_email(email) {}
  const std::shared_ptr<const DirectoryReader> reader;
  const bool any_user_email;
  std::mutex lock;  // guards both kinds' entries and the reading of a whole kind
  Entries<Unit> units;
  Entries<User> users;
};

Config::OnDemandPtr::OnDemandPtr() = default;
Config::OnDemandPtr::OnDemandPtr(const OnDemandPtr& other) { *this = other; }
Config::OnDemandPtr::OnDemandPtr(OnDemandPtr&& other) noexcept = default;
Config::OnDemandPtr& Config::OnDemandPtr::operator=(OnDemandPtr&& other) noexcept = default;
Config::OnDemandPtr::~OnDemandPtr() = default;
Config::OnDemandPtr& Config::OnDemandPtr::operator=(const OnDemandPtr& other) {
  if (this == &other) return *this;
  // What was read whole is in the copied units_ / users_ and their indexes.
  const OnDemand* o = other.get();
  const bool units = !o || o->units.whole.load(std::memory_order_acquire);
  const bool users = !o || o->users.whole.load(std::memory_order_acquire);
  if (units && users) {
    p_.reset();
  } else {
    p_ = std::make_unique<OnDemand>(o->reader, o->any_user_email);
    p_->units.whole.store(units, std::memory_order_relaxed);
    p_->users.whole.store(users, std::memory_order_relaxed);
  }
  return *this;
}
void Config::OnDemandPtr::reset(std::unique_ptr<OnDemand> p) { p_ = std::move(p); }

void Config::read_directory_from(std::shared_ptr<const DirectoryReader> reader, bool any_user_email) {
  units_.clear();
  users_.clear();
  unit_slots_.clear();
  user_slots_.clear();
  below_start_.clear();
  below_.clear();
  producers_with_email_.clear();
  any_user_email_ = false;
  on_demand_.reset(std::make_unique<OnDemand>(std::move(reader), any_user_email));
}

bool Config::directory_in_memory() const {
  const OnDemand* d = on_demand_.get();
  return in_memory(d ? &d->units.whole : nullptr) && in_memory(d ? &d->users.whole : nullptr);
}

const std::vector<Unit>& Config::all_units() const {
  OnDemand* d = on_demand_.get();
  return all_of(
      d ? &d->lock : nullptr, d ? &d->units : nullptr, units_,
      [&](std::vector<Unit>& out) { d->reader->read_units(out); }, [this] { index_units(); });
}

const std::vector<User>& Config::all_users() const {
  OnDemand* d = on_demand_.get();
  return all_of(
      d ? &d->lock : nullptr, d ? &d->users : nullptr, users_,
      [&](std::vector<User>& out) { d->reader->read_users(out); }, [this] { index_users(); });
}

void Config::read_whole_directory() const {
  all_units();
  all_users();
}

const std::vector<Unit>& Config::units() const { return all_units(); }
const std::vector<User>& Config::users() const { return all_users(); }
std::vector<Unit>& Config::mutable_units() {
  all_units();
  return units_;
}
std::vector<User>& Config::mutable_users() {
  all_users();
  return users_;
}

bool Config::any_user_email() const {
  const OnDemand* d = on_demand_.get();
  return in_memory(d ? &d->users.whole : nullptr) ? any_user_email_ : d->any_user_email;
}

void Config::index() {
  std::stable_sort(rule_sets.begin(), rule_sets.end(),
                   [](const RuleSet& a, const RuleSet& b) { return a.effective_from < b.effective_from; });
  const OnDemand* d = on_demand_.get();
  if (in_memory(d ? &d->units.whole : nullptr)) index_units();
  if (in_memory(d ? &d->users.whole : nullptr)) index_users();
}

void Config::index_units() const {
  unit_slots_ = build_slots(units_, unit_key);
  index_units_below();
}

void Config::index_users() const {
  producers_with_email_.clear();
  any_user_email_ = false;
  user_slots_ = build_slots(users_, user_key);
  for (size_t i = 0; i < users_.size(); ++i) {
    User& u = users_[i];
    u.events = events_of(roles, u);
    if (u.email.empty()) continue;
    any_user_email_ = true;
    if (std::find(u.roles.begin(), u.roles.end(), "producer") != u.roles.end())
      producers_with_email_.push_back(static_cast<std::uint32_t>(i));
  }
  std::stable_sort(producers_with_email_.begin(), producers_with_email_.end(),
                   [this](std::uint32_t a, std::uint32_t b) { return users_[a].unit < users_[b].unit; });
}

const std::vector<std::string>* RuleSet::required_documents(Event ev, const std::string& group) const {
  if (!group.empty()) {
    auto g = documents_by_group.find(group);
    if (g != documents_by_group.end()) {
      auto it = g->second.find(ev);
      if (it != g->second.end()) return &it->second;
    }
  }
  auto it = documents.find(ev);
  return it == documents.end() ? nullptr : &it->second;
}

std::vector<const User*> Config::producers_with_email(const std::string& unit) const {
  all_users();
  std::vector<const User*> out;
  auto lo = std::lower_bound(producers_with_email_.begin(), producers_with_email_.end(), unit,
                             [this](std::uint32_t i, const std::string& u) { return users_[i].unit < u; });
  for (; lo != producers_with_email_.end() && users_[*lo].unit == unit; ++lo) out.push_back(&users_[*lo]);
  return out;
}

const Unit* Config::unit(const std::string& code) const {
  OnDemand* d = on_demand_.get();
  return look_up(
      d ? &d->lock : nullptr, d ? &d->units : nullptr, code, [&](Unit& out) { return d->reader->unit(code, out); },
      [this] { all_units(); }, [&] { return find_slot(unit_slots_, units_, code, unit_key); });
}

const Unit* Config::unit_on(const std::string& code, Date day) const {
  const Unit* u = unit(code);
  for (int hops = 0; u && hops < 16; ++hops) {
    if (u->valid_on(day)) return u;
    if (u->valid_from && day < *u->valid_from) return nullptr;  // not created yet
    if (u->successor.empty()) return nullptr;
    u = unit(u->successor);
  }
  return nullptr;
}

std::vector<const Unit*> Config::ancestors_on(const std::string& code, Date day) const {
  std::vector<const Unit*> out;
  const Unit* u = unit_on(code, day);
  if (!u) u = unit(code);
  for (int depth = 0; u && !u->parent.empty() && depth < 16; ++depth) {
    const Unit* p = unit(u->parent);
    if (!p) break;
    if (const Unit* now = unit_on(p->code, day)) {
      // By code: an entry read on demand and the same entry read whole are two addresses.
      if (std::none_of(out.begin(), out.end(), [&](const Unit* a) { return a->code == now->code; }))
        out.push_back(now);
      u = now;
    } else {
      u = p;  // ended without a successor: skipped, its parent is next
    }
  }
  return out;
}

bool Config::in_scope(const std::string& actor_unit, const std::string& code, Date day) const {
  const Unit* own = unit_on(code, day);
  if (!own) own = unit(code);
  if (own && own->code == actor_unit) return true;
  for (const Unit* a : ancestors_on(code, day))
    if (a->code == actor_unit) return true;
  return false;
}

// Counting sort of the reversed parent and successor edges into below_start_ / below_.
void Config::index_units_below() const {
  const auto& units = units_;
  const size_t n = units.size();
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;  // (upper, lower)
  edges.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    for (const std::string* up : {&units[i].parent, &units[i].successor}) {
      if (up->empty()) continue;
      const Unit* u = find_slot(unit_slots_, units, *up, unit_key);
      if (u) edges.emplace_back(static_cast<std::uint32_t>(u - units.data()), static_cast<std::uint32_t>(i));
    }
  }
  below_start_.assign(n + 1, 0);
  for (const auto& e : edges) ++below_start_[e.first + 1];
  for (size_t i = 0; i < n; ++i) below_start_[i + 1] += below_start_[i];
  below_.assign(edges.size(), 0);
  std::vector<std::uint32_t> next(below_start_.begin(), below_start_.end() - 1);
  for (const auto& e : edges) below_[next[e.first]++] = e.second;
}

std::vector<std::string> Config::units_under(const std::string& code, Date day) const {
  std::vector<std::string> out;
  const auto& units = all_units();
  const Unit* top = unit(code);
  if (!top) return out;
  // Every unit listed under `code` reaches it by parent and successor edges (the day's chain
  // and the chain as written both follow only those), so the units reached from `code` by the
  // reversed edges are the only candidates; each is then tested as the contract says.
  std::vector<char> seen(units.size(), 0);
  std::vector<std::uint32_t> todo{static_cast<std::uint32_t>(top - units.data())};
  seen[todo.front()] = 1;
  while (!todo.empty()) {
    const std::uint32_t i = todo.back();
    todo.pop_back();
    const Unit& u = units[i];
    bool under = u.code == code || in_scope(code, u.code, day);
    const Unit* p = &u;
    for (int depth = 0; !under && p && !p->parent.empty() && depth < 16; ++depth) {  // as written
      under = p->parent == code;
      p = unit(p->parent);
    }
    if (under) out.push_back(u.code);
    if (i + 1 >= below_start_.size()) continue;  // units added after index(): none below known
    for (std::uint32_t k = below_start_[i]; k < below_start_[i + 1]; ++k)
      if (!seen[below_[k]]) seen[below_[k]] = 1, todo.push_back(below_[k]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

const User* Config::user(const std::string& id) const {
  OnDemand* d = on_demand_.get();
  return look_up(
      d ? &d->lock : nullptr, d ? &d->users : nullptr, id,
      [&](User& out) {
        if (!d->reader->user(id, out)) return false;
        out.events = events_of(roles, out);
        return true;
      },
      [this] { all_users(); }, [&] { return find_slot(user_slots_, users_, id, user_key); });
}

const RuleSet* Config::rule_set_on(Date day) const {
  const RuleSet* found = nullptr;
  for (const auto& rs : rule_sets) {
    if (rs.effective_from <= day && (!rs.effective_to || day <= *rs.effective_to)) found = &rs;
  }
  return found;
}

const RuleSet* Config::rule_set(const std::string& id) const {
  for (const auto& rs : rule_sets)
    if (rs.id == id) return &rs;
  return nullptr;
}

}  // namespace ocop
