// The application layer's calls after recognition (spec §10.3): activities, one activity with
// its participations and totals, inspections, the inspection round's plan, the report's part.
#include <algorithm>
#include <map>
#include <set>

#include "ocop/app.hpp"

namespace ocop {

ActivityTotals Application::totals_of(const std::vector<Participation>& ps) const {
  ActivityTotals t;
  for (const Participation& p : ps) {
    ++t.by_state[p.state];
    if (p.state != "selected" && p.state != "reported") continue;
    t.booths_selected += p.booths;
    t.support_vnd += p.support_vnd;
    t.revenue_vnd += p.revenue_vnd.value_or(0);
    t.contracts += p.contracts.value_or(0);
  }
  return t;
}

Result<std::vector<ActivitySummary>> Application::activities(const ReadScope& scope, const ActivityQuery& q) {
  return read<std::vector<ActivitySummary>>([&](std::vector<ActivitySummary>& out) {
    if (!q.state.empty() && !parse_activity_state(q.state))
      return Status::BadInput("--state \"" + q.state + "\" is not an activity state");
    ActivityFilter f;
    f.state = q.state;
    f.year = q.year;
    // Without a unit: what the scope organises and what is announced to it.
    if (q.unit.empty())
      f.units = scope.activity_units();
    else if (Status s = scoped_units(scope, q.unit, f.units); !s.ok())
      return s;
    for (Activity& a : store_.activities(f)) {
      ParticipationFilter pf;
      pf.activity = a.id;
      pf.units = scope.units();
      ActivitySummary s{std::move(a), totals_of(store_.participations(pf))};
      out.push_back(std::move(s));
    }
    return Status::Ok();
  });
}

Result<ActivityView> Application::activity(const ReadScope& scope, const std::string& id) {
  return read<ActivityView>([&](ActivityView& v) {
    auto a = store_.load_activity(id);
    if (!a || !scope.sees_activity(a->unit)) return Status::NotFound("activity " + id + " not found");
    v.activity = std::move(*a);
    ParticipationFilter pf;
    pf.activity = id;
    pf.units = scope.units();  // of an announced activity, the scope's own participations
    v.participations = store_.participations(pf);
    v.totals = totals_of(v.participations);
    return Status::Ok();
  });
}

Result<std::vector<Inspection>> Application::inspections(const ReadScope& scope, const InspectionQuery& q) {
  return read<std::vector<Inspection>>([&](std::vector<Inspection>& out) {
    if (!q.state.empty() && !parse_inspection_state(q.state))
      return Status::BadInput("--state \"" + q.state + "\" is not an inspection state");
    InspectionFilter f;
    f.state = q.state;
    f.year = q.year;
    if (Status s = scoped_units(scope, q.unit, f.units); !s.ok()) return s;
    out = store_.inspections(f);
    return Status::Ok();
  });
}

InspectionPlan Application::plan_inspections(const InspectionPlanRequest& rq) {
  InspectionPlan plan;
  if (rq.share < 1 || rq.share > 100) {
    plan.status =
        Status::BadInput("--share must be a percentage from 1 to 100, not " + std::to_string(rq.share));
    return plan;
  }
  if (!config_.user(rq.actor)) {
    plan.status = Status::BadInput("unknown actor \"" + rq.actor + "\": not a configured user");
    return plan;
  }
  // The certificates in force, grouped by the unit their dossier belongs to on `due`, oldest
  // first; and those inspected (or planned) within the 24 months before `due`, or later.
  std::map<std::string, std::vector<Certificate>> by_unit;
  std::set<std::string> recent;
  try {
    for (const char* state : {"active", "expiring"}) {
      CertificateFilter cf;
      cf.state = state;
      for (Certificate& c : store_.certificates(cf)) {
        const Unit* u = config_.unit_on(c.unit, rq.due);
        if (u) by_unit[u->code].push_back(std::move(c));
      }
    }
    InspectionFilter inf;
    inf.due_from = add_months(rq.due, -24);
    for (const Inspection& i : store_.inspections(inf)) recent.insert(i.certificate);
  } catch (const StoreError& e) {
    plan.status = Status::Internal(std::string("database: ") + e.what());
    return plan;
  }
  for (auto& [unit, certs] : by_unit) {
    std::sort(certs.begin(), certs.end(), [](const Certificate& a, const Certificate& b) {
      return a.issued_on != b.issued_on ? a.issued_on < b.issued_on : a.id < b.id;
    });
    InspectionPlanUnit row;
    row.unit = unit;
    row.in_force = static_cast<std::int64_t>(certs.size());
    row.wanted = (static_cast<std::int64_t>(rq.share) * row.in_force + 99) / 100;
    // The oldest `wanted` count; those already inspected count towards the share, so a larger
    // share adds the difference and the same share adds nothing.
    for (std::int64_t k = 0; k < row.wanted; ++k) {
      const Certificate& c = certs[static_cast<size_t>(k)];
      if (recent.count(c.id)) {
        ++row.already;
        continue;
      }
      EventRequest req;
      req.event = "plan_inspection";
      req.actor = rq.actor;
      req.key = "plan/" + std::to_string(rq.year) + "/" + c.id;
      req.data = {{"certificate", c.id}, {"due", format_date(rq.due)}};
      FireResult r = executor_.fire(req);
      if (!r.status.ok()) {
        plan.status = r.status;
        plan.units.push_back(std::move(row));
        return plan;
      }
      if (!r.duplicate) {
        row.planned.push_back(r.dossier_id);
        ++plan.planned;
      } else {
        ++row.already;
      }
    }
    plan.units.push_back(std::move(row));
  }
  plan.status = Status::Ok();
  return plan;
}

void Application::promotion_report(const ReadScope& scope, Report& r) {
  // The scope's units only: activities they organise, their products' participations and
  // inspections (a whole scope: every unit).
  ActivityFilter af;
  af.units = scope.units();
  ParticipationFilter pf;
  pf.units = scope.units();
  InspectionFilter inf;
  inf.units = scope.units();
  for (const Activity& a : store_.activities(af)) {
    ++r.unit_promotion[a.unit].activities;
    ++r.promotion.activities;
  }
  for (const Participation& p : store_.participations(pf)) {
    if (p.state != "selected" && p.state != "reported") continue;
    for (PromotionUnitRow* row : {&r.unit_promotion[p.unit], &r.promotion}) {
      ++row->participations_selected;
      row->support_vnd += p.support_vnd;
      row->revenue_vnd += p.revenue_vnd.value_or(0);
      row->contracts += p.contracts.value_or(0);
    }
  }
  for (const Inspection& i : store_.inspections(inf)) {
    const std::string& key = i.result.empty() ? i.state : i.result;
    ++r.unit_promotion[i.unit].inspections_by_result[key];
    ++r.promotion.inspections_by_result[key];
  }
}

}  // namespace ocop
