// PodWorker: the lifecycle of one pod's sandbox and containers (see pod_worker.h). Rendering
// of the status is in pod_status.cc.
#include "sim/cluster/pod_worker.h"

#include <algorithm>
#include <cstdio>

#include "api/object.h"
#include "base/trace.h"
#include "sim/cluster/container_behavior.h"
#include "sim/cluster/fault_sites.h"
#include "sim/cluster/go_duration.h"
#include "sim/cluster/pod_util.h"
#include "sim/cluster/resources.h"

namespace kt::sim::cluster {

namespace {

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

int IntField(const Json& j, const char* field, int fallback) {
  auto v = GetInt(j, field);
  return v ? static_cast<int>(*v) : fallback;
}

}  // namespace

PodWorker::PodWorker(PodHost& host, const JsonPtr& pod_ptr) : host_(host), pod_(pod_ptr) {
  const Json& pod = *pod_ptr;
  ns_ = api::Namespace(pod);
  name_ = api::Name(pod);
  key_ = ns_ + "/" + name_;
  uid_ = api::Uid(pod);
  restart_policy_ = GetString(pod, "spec.restartPolicy", "Always");
  grace_seconds_ = GetInt(pod, "spec.terminationGracePeriodSeconds").value_or(30);
  start_time_ = host_.loop().Now();
  if (const Json* ics = FindPath(pod, "spec.initContainers"); ics && ics->is_array()) {
    for (const auto& c : *ics) init_.push_back(MakeContainer(pod, c, true));
  }
  if (const Json* cs = FindPath(pod, "spec.containers"); cs && cs->is_array()) {
    for (const auto& c : *cs) containers_.push_back(MakeContainer(pod, c, false));
  }
  init_done_ = init_.empty();
  Trace("admitted", Json{{"node", host_.node_name()}});
  Dirty();
  if (IsPodDeleting(pod)) {
    Update(pod_ptr);
    return;
  }
  sandbox_timer_ = host_.loop().After(host_.options().sandbox_create, [this] {
    sandbox_timer_ = ClusterLoop::kNoTimer;
    SandboxReady();
  });
}

PodWorker::~PodWorker() {
  host_.loop().Cancel(sandbox_timer_);
  for (auto* list : {&init_, &containers_}) {
    for (auto& c : *list) StopTimers(c);
  }
  ReleaseSandbox();
}

PodWorker::Container PodWorker::MakeContainer(const Json& pod, const Json& spec, bool init) {
  Container c;
  c.name = GetString(spec, "name");
  c.init = init;
  c.spec = spec;
  c.image = GetString(spec, "image");
  c.normalized = NormalizeImage(c.image);
  c.facts = ContainerBehavior(host_.images(), pod, spec, init);
  c.pull_policy = GetString(spec, "imagePullPolicy");
  if (c.pull_policy.empty()) c.pull_policy = IsLatestTag(c.image) ? "Always" : "IfNotPresent";
  c.gpus = static_cast<int>(ContainerRequests(spec).gpu);
  // Pods with init containers show every waiting container as PodInitializing at first.
  const Json* ics = FindPath(pod, "spec.initContainers");
  const bool has_init = ics != nullptr && ics->is_array() && !ics->empty();
  c.waiting_reason = has_init ? "PodInitializing" : "ContainerCreating";
  auto probe = [&](Probe& p, const char* field, const char* kind) {
    const Json* j = FindPath(spec, field);
    if (j == nullptr || !j->is_object()) return;
    p.defined = true;
    p.kind = kind;
    p.initial_delay_s = IntField(*j, "initialDelaySeconds", 0);
    p.period_s = std::max(1, IntField(*j, "periodSeconds", 10));
    p.failure_threshold = std::max(1, IntField(*j, "failureThreshold", 3));
    p.success_threshold = std::max(1, IntField(*j, "successThreshold", 1));
    std::string port;
    auto port_of = [&](const Json& h) {
      const Json* pj = FindPath(h, "port");
      if (pj == nullptr) return std::string();
      if (pj->is_number_integer()) return std::to_string(pj->get<int64_t>());
      std::string named = pj->is_string() ? pj->get<std::string>() : "";
      // A named port resolves through the container's ports.
      if (const Json* ports = FindPath(spec, "ports"); ports && ports->is_array()) {
        for (const auto& pt : *ports) {
          if (GetString(pt, "name") == named) {
            return std::to_string(GetInt(pt, "containerPort").value_or(0));
          }
        }
      }
      return named;
    };
    if (const Json* h = FindPath(*j, "httpGet"); h && h->is_object()) {
      std::string scheme = GetString(*h, "scheme", "HTTP");
      std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
      port = port_of(*h);
      p.failure_text = "Get \"" + scheme + "://{ip}:" + port + GetString(*h, "path", "/") +
                       "\": dial tcp {ip}:" + port + ": connect: connection refused";
    } else if (const Json* t = FindPath(*j, "tcpSocket"); t && t->is_object()) {
      port = port_of(*t);
      p.failure_text = "dial tcp {ip}:" + port + ": connect: connection refused";
    } else if (const Json* g = FindPath(*j, "grpc"); g && g->is_object()) {
      port = port_of(*g);
      p.failure_text = "timeout: failed to connect service \":" + port + "\" within 1s";
    } else {
      p.failure_text = "";
    }
  };
  if (!init) {
    probe(c.readiness, "readinessProbe", "Readiness");
    probe(c.liveness, "livenessProbe", "Liveness");
    probe(c.startup, "startupProbe", "Startup");
  }
  return c;
}

std::string PodWorker::FieldPath(const Container& c) const {
  return std::string(c.init ? "spec.initContainers{" : "spec.containers{") + c.name + "}";
}

void PodWorker::Event(const Container& c, std::string_view type, std::string_view reason,
                      std::string message) {
  host_.Event(*pod_, type, reason, std::move(message), FieldPath(c));
}

void PodWorker::Dirty() { host_.MarkDirty(key_); }

void PodWorker::Trace(std::string_view what, const Json& fields) { host_.Trace(key_, what, fields); }

PodWorker::Container* PodWorker::Find(const std::string& name) {
  for (auto* list : {&init_, &containers_}) {
    for (auto& c : *list) {
      if (c.name == name) return &c;
    }
  }
  return nullptr;
}

void PodWorker::Update(const JsonPtr& pod) {
  pod_ = pod;
  if (!deleting_ && IsPodDeleting(*pod)) {
    if (auto g = GetInt(*pod, "metadata.deletionGracePeriodSeconds")) grace_seconds_ = *g;
    BeginTermination();
  }
}

// ---- sandbox and start-up

void PodWorker::SandboxReady() {
  if (deleting_) return;
  pod_ip_ = host_.AllocatePodIp();
  sandbox_ready_ = true;
  Trace("sandbox_ready", Json{{"pod_ip", pod_ip_}});
  Dirty();
  if (!init_done_) {
    StartNextInit();
  } else {
    StartRegular();
  }
}

void PodWorker::StartNextInit() {
  if (deleting_) return;
  if (next_init_ >= init_.size()) {
    init_done_ = true;
    Dirty();
    StartRegular();
    return;
  }
  StartContainer(init_[next_init_]);
}

void PodWorker::StartRegular() {
  for (auto& c : containers_) StartContainer(c);
}

void PodWorker::StartContainer(Container& c) {
  if (deleting_) return;
  ImagePuller& puller = host_.puller();
  const bool have = puller.Has(c.normalized);
  if (c.facts.pull_error.empty() && have && c.pull_policy != "Always") {
    c.image_known = true;
    Event(c, "Normal", "Pulled", "Container image " + Quote(c.image) + " already present on machine");
    CreateContainer(c);
    return;
  }
  if (c.pull_policy == "Never") {
    if (have) {
      c.image_known = true;
      Event(c, "Normal", "Pulled", "Container image " + Quote(c.image) + " already present on machine");
      CreateContainer(c);
      return;
    }
    std::string msg = "Container image " + Quote(c.image) + " is not present with pull policy of Never";
    c.state = State::kWaiting;
    c.waiting_reason = "ErrImageNeverPull";
    c.waiting_message = msg;
    Event(c, "Warning", "ErrImageNeverPull", msg);
    Event(c, "Warning", "Failed", "Error: ErrImageNeverPull");
    Dirty();
    return;
  }
  Event(c, "Normal", "Pulling", "Pulling image " + Quote(c.image));
  Container* cp = &c;
  c.pull = puller.Pull(c.normalized, c.facts.size_bytes, c.facts.pull_error,
                       have && c.facts.pull_error.empty(),
                       [this, cp](const Status& s, Duration pulling, Duration waited) {
                         OnPulled(*cp, s, pulling, waited);
                       });
}

void PodWorker::OnPulled(Container& c, const Status& s, Duration pulling, Duration waited) {
  c.pull = 0;
  if (deleting_) return;
  if (!s.ok()) {
    PullFailed(c, s.message());
    return;
  }
  c.pull_failures = 0;
  c.image_known = true;
  Event(c, "Normal", "Pulled",
        "Successfully pulled image " + Quote(c.image) + " in " + GoDuration(pulling) + " (" +
            GoDuration(waited) + " including waiting). Image size: " +
            std::to_string(c.facts.size_bytes) + " bytes.");
  Trace("pulled", Json{{"container", c.name}, {"image", c.normalized}});
  CreateContainer(c);
}

void PodWorker::PullFailed(Container& c, const std::string& message) {
  ++c.pull_failures;
  const KubeletOptions& o = host_.options();
  Duration backoff = o.image_pull_backoff_initial;
  for (int i = 1; i < c.pull_failures && backoff < o.image_pull_backoff_max; ++i) backoff *= 2;
  backoff = std::min(backoff, o.image_pull_backoff_max);
  Trace("pull_failed", Json{{"container", c.name}, {"image", c.normalized},
                            {"retry_s", ToSeconds(backoff)}});
  Event(c, "Warning", "Failed", "Failed to pull image " + Quote(c.image) + ": " + message);
  Event(c, "Warning", "Failed", "Error: ErrImagePull");
  c.state = State::kWaiting;
  c.waiting_reason = "ErrImagePull";
  c.waiting_message = message;
  Dirty();
  // The next sync finds the image in back-off; the retry comes when it expires.
  Duration to_backoff = std::min<Duration>(std::chrono::seconds(1), backoff);
  Container* cp = &c;
  c.timer = host_.loop().After(to_backoff, [this, cp, backoff, to_backoff] {
    cp->timer = ClusterLoop::kNoTimer;
    Container& c = *cp;
    c.waiting_reason = "ImagePullBackOff";
    c.waiting_message = "Back-off pulling image " + Quote(c.image);
    Event(c, "Normal", "BackOff", "Back-off pulling image " + Quote(c.image));
    Event(c, "Warning", "Failed", "Error: ImagePullBackOff");
    Dirty();
    c.timer = host_.loop().After(backoff - to_backoff, [this, cp] {
      cp->timer = ClusterLoop::kNoTimer;
      StartContainer(*cp);
    });
  });
}

void PodWorker::CreateContainer(Container& c) {
  Container* cp = &c;
  c.timer = host_.loop().After(host_.options().container_create, [this, cp] {
    cp->timer = ClusterLoop::kNoTimer;
    if (deleting_) return;
    Rng& rng = host_.rng();
    char hex[65];
    for (int i = 0; i < 4; ++i) {
      std::snprintf(hex + 16 * i, 17, "%016llx", static_cast<unsigned long long>(rng.Next()));
    }
    cp->container_id = std::string("containerd://") + hex;
    Event(*cp, "Normal", "Created", "Created container: " + cp->name);
    Event(*cp, "Normal", "Started", "Started container " + cp->name);
    Run(*cp);
  });
}

bool PodWorker::AppHealthy(const Container& c) const {
  return c.state == State::kRunning && host_.loop().Now() >= c.healthy_at;
}

void PodWorker::Run(Container& c) {
  ClusterLoop& loop = host_.loop();
  const KubeletOptions& o = host_.options();
  Env& env = loop.env();
  const Time now = loop.Now();
  c.state = State::kRunning;
  c.waiting_reason.clear();
  c.waiting_message.clear();
  c.started_at = now;
  c.ever_ran = true;
  c.healthy_at = now + FromSeconds(c.facts.load_s);
  c.started = !c.startup.defined && !c.init;
  c.ready = !c.init && c.started && !c.readiness.defined;

  // How this run ends, if it ends by itself: the earliest of OOM, a natural exit, a crash.
  std::optional<Time> end;
  int code = 0;
  std::string reason;
  auto consider = [&](Time t, int exit_code, const char* why) {
    if (!end || t < *end) {
      end = t;
      code = exit_code;
      reason = why;
    }
  };
  if (c.facts.gpu_memory_gib > 0) {
    double per_gpu = host_.gpu_memory_gib_per_gpu();
    int gpus = c.gpus > 0 ? c.gpus : host_.gpu_count();
    double available = per_gpu * gpus;
    if (c.facts.gpu_memory_gib > available + 1e-9) {
      consider(now + FromSeconds(c.facts.load_s * o.oom_at_load_fraction), 137, "OOMKilled");
    }
  }
  if (c.facts.run_s && !c.facts.exits_after_others_s) {
    consider(now + FromSeconds(*c.facts.run_s), c.facts.exit_code,
             c.facts.exit_code == 0 ? "Completed" : "Error");
  }
  if (!c.init && Buggify(env, faults::kContainerCrash)) {
    double frac = env.Random("cluster/crash").Uniform();
    Duration after = std::chrono::seconds(1) + FromSeconds(ToSeconds(o.crash_within) * frac);
    env.trace().Record(now, "cluster.fault", Json{{"site", std::string(faults::kContainerCrash.name)},
                                                  {"pod", key_}, {"container", c.name},
                                                  {"after_s", ToSeconds(after)}});
    consider(now + after, 1, "Error");
  }
  Trace("running", Json{{"container", c.name}, {"restarts", c.restart_count}});
  if (end) {
    Container* cp = &c;
    int exit_code = code;
    std::string why = reason;
    c.timer = loop.After(*end - now, [this, cp, exit_code, why] {
      cp->timer = ClusterLoop::kNoTimer;
      Exit(*cp, exit_code, why);
    });
  }
  if (c.facts.exits_after_others_s && !c.init) FinishWaitingSidecars();
  if (c.startup.defined) {
    ArmProbe(c, c.startup, std::chrono::seconds(c.startup.initial_delay_s));
  } else {
    if (c.liveness.defined) ArmProbe(c, c.liveness, std::chrono::seconds(c.liveness.initial_delay_s));
    if (c.readiness.defined) {
      ArmProbe(c, c.readiness, std::chrono::seconds(c.readiness.initial_delay_s));
    }
  }
  Dirty();
}

// ---- probes

void PodWorker::ArmProbe(Container& c, Probe& p, Duration delay) {
  host_.loop().Cancel(p.timer);
  Container* cp = &c;
  Probe* pp = &p;
  p.timer = host_.loop().After(delay, [this, cp, pp] {
    pp->timer = ClusterLoop::kNoTimer;
    ProbeTick(*cp, *pp);
  });
}

void PodWorker::ProbeTick(Container& c, Probe& p) {
  if (c.state != State::kRunning || deleting_) return;
  Env& env = host_.loop().env();
  bool ok = AppHealthy(c);
  if (ok && Buggify(env, faults::kProbeFail)) {
    env.trace().Record(env.Now(), "cluster.fault",
                       Json{{"site", std::string(faults::kProbeFail.name)}, {"pod", key_}, {"container", c.name},
                            {"probe", p.kind}});
    ok = false;
  }
  const Duration period = std::chrono::seconds(p.period_s);
  if (ok) {
    p.failures = 0;
    ++p.successes;
    if (&p == &c.startup) {
      // Started: liveness and readiness take over, their delays counted from the start.
      c.started = true;
      if (!c.readiness.defined) c.ready = true;
      Trace("started", Json{{"container", c.name}});
      Dirty();
      const Time now = host_.loop().Now();
      for (Probe* q : {&c.liveness, &c.readiness}) {
        if (!q->defined) continue;
        Time first = c.started_at + std::chrono::seconds(q->initial_delay_s);
        ArmProbe(c, *q, first > now ? first - now : Duration(0));
      }
      return;
    }
    if (&p == &c.readiness && !c.ready && p.successes >= p.success_threshold) {
      c.ready = true;
      Trace("ready", Json{{"container", c.name}});
      Dirty();
    }
    ArmProbe(c, p, period);
    return;
  }
  p.successes = 0;
  ++p.failures;
  std::string text = p.failure_text;
  for (size_t at = text.find("{ip}"); at != std::string::npos; at = text.find("{ip}")) {
    text.replace(at, 4, pod_ip_);
  }
  Event(c, "Warning", "Unhealthy", p.kind + " probe failed: " + text);
  if (&p == &c.readiness) {
    if (c.ready && p.failures >= p.failure_threshold) {
      c.ready = false;
      Trace("unready", Json{{"container", c.name}});
      Dirty();
    }
    ArmProbe(c, p, period);
    return;
  }
  if (p.failures < p.failure_threshold) {
    ArmProbe(c, p, period);
    return;
  }
  // Liveness or startup gave up on the container: kill it and let the restart policy decide.
  std::string which = &p == &c.liveness ? "liveness" : "startup";
  Event(c, "Normal", "Killing",
        "Container " + c.name + " failed " + which + " probe, will be restarted");
  Trace("probe_kill", Json{{"container", c.name}, {"probe", which}});
  p.failures = 0;
  StopTimers(c);
  c.ready = false;
  Container* cp = &c;
  Duration stop = std::min<Duration>(FromSeconds(c.facts.stop_s), std::chrono::seconds(grace_seconds_));
  c.timer = host_.loop().After(stop, [this, cp] {
    cp->timer = ClusterLoop::kNoTimer;
    Exit(*cp, 137, "Error");
  });
  Dirty();
}

// ---- exits and restarts

void PodWorker::StopTimers(Container& c) {
  ClusterLoop& loop = host_.loop();
  loop.Cancel(c.timer);
  loop.Cancel(c.readiness.timer);
  loop.Cancel(c.liveness.timer);
  loop.Cancel(c.startup.timer);
  if (c.pull != 0) {
    host_.puller().Cancel(c.pull);
    c.pull = 0;
  }
}

void PodWorker::Exit(Container& c, int code, const std::string& reason, const std::string& message) {
  StopTimers(c);
  Terminated t;
  t.exit_code = code;
  t.reason = reason;
  t.message = message;
  t.started = c.started_at;
  t.finished = host_.loop().Now();
  t.container_id = c.container_id;
  c.terminated = t;
  c.state = State::kTerminated;
  c.ready = c.init && code == 0;
  c.started = false;
  c.readiness.failures = c.readiness.successes = 0;
  c.liveness.failures = c.liveness.successes = 0;
  c.startup.failures = c.startup.successes = 0;
  Trace("exited", Json{{"container", c.name}, {"code", code}, {"reason", reason}});
  Dirty();
  AfterExit(c);
}

bool PodWorker::ShouldRestart(const Container& c) const {
  if (restart_policy_ == "Always") return true;
  if (restart_policy_ == "OnFailure") return c.terminated && c.terminated->exit_code != 0;
  return false;
}

void PodWorker::AfterExit(Container& c) {
  if (deleting_) {
    CheckAllStopped();
    return;
  }
  if (c.init) {
    if (c.terminated->exit_code == 0) {
      ++next_init_;
      StartNextInit();
      return;
    }
    if (restart_policy_ == "Never") {
      init_failed_ = true;
      ReleaseSandbox();
      Dirty();
      return;
    }
    RestartLater(c);
    return;
  }
  if (ShouldRestart(c)) {
    RestartLater(c);
    return;
  }
  FinishWaitingSidecars();
  bool any_running = false;
  for (const auto& x : containers_) any_running |= x.state != State::kTerminated;
  if (!any_running) ReleaseSandbox();
}

void PodWorker::FinishWaitingSidecars() {
  for (const Container& x : containers_) {
    if (x.init || x.facts.exits_after_others_s) continue;
    if (x.state != State::kTerminated || x.terminated->exit_code != 0) return;
  }
  ClusterLoop& loop = host_.loop();
  for (Container& w : containers_) {
    if (w.init || !w.facts.exits_after_others_s || w.state != State::kRunning ||
        w.timer != ClusterLoop::kNoTimer) {
      continue;
    }
    Container* wp = &w;
    w.timer = loop.After(FromSeconds(*w.facts.exits_after_others_s), [this, wp] {
      wp->timer = ClusterLoop::kNoTimer;
      Exit(*wp, wp->facts.exit_code, wp->facts.exit_code == 0 ? "Completed" : "Error");
    });
  }
}

void PodWorker::RestartLater(Container& c) {
  const KubeletOptions& o = host_.options();
  const Time now = host_.loop().Now();
  if (now - c.started_at >= o.crash_backoff_reset) c.crash_backoff = Duration(0);
  Duration delay = c.crash_backoff;
  c.crash_backoff = delay == Duration(0) ? o.crash_backoff_initial
                                         : std::min(delay * 2, o.crash_backoff_max);
  if (delay == Duration(0)) {
    Restart(c);
    return;
  }
  c.last_terminated = c.terminated;
  c.terminated.reset();
  c.state = State::kWaiting;
  c.waiting_reason = "CrashLoopBackOff";
  const std::string who = name_ + "_" + ns_ + "(" + uid_ + ")";
  c.waiting_message = "back-off " + GoDuration(delay) + " restarting failed container=" + c.name +
                      " pod=" + who;
  Event(c, "Warning", "BackOff", "Back-off restarting failed container " + c.name + " in pod " + who);
  Trace("crash_loop", Json{{"container", c.name}, {"backoff_s", ToSeconds(delay)}});
  Dirty();
  Container* cp = &c;
  c.timer = host_.loop().After(delay, [this, cp] {
    cp->timer = ClusterLoop::kNoTimer;
    Restart(*cp);
  });
}

void PodWorker::Restart(Container& c) {
  if (deleting_) return;
  if (c.terminated) {
    c.last_terminated = c.terminated;
    c.terminated.reset();
  }
  ++c.restart_count;
  c.state = State::kWaiting;
  c.waiting_reason.clear();
  c.waiting_message.clear();
  StartContainer(c);
}

// ---- termination

void PodWorker::BeginTermination() {
  deleting_ = true;
  host_.loop().Cancel(sandbox_timer_);
  Trace("terminating", Json{{"grace_s", grace_seconds_}});
  const Time now = host_.loop().Now();
  for (auto* list : {&init_, &containers_}) {
    for (auto& c : *list) {
      StopTimers(c);
      if (c.state == State::kRunning) {
        Event(c, "Normal", "Killing", "Stopping container " + c.name);
        bool in_time = c.facts.stop_s <= static_cast<double>(grace_seconds_);
        Duration stop = in_time ? FromSeconds(c.facts.stop_s) : std::chrono::seconds(grace_seconds_);
        int code = in_time ? c.facts.sigterm_exit_code : 137;
        Container* cp = &c;
        c.timer = host_.loop().After(stop, [this, cp, code] {
          cp->timer = ClusterLoop::kNoTimer;
          Exit(*cp, code, code == 0 ? "Completed" : "Error");
        });
      } else if (c.state == State::kWaiting && !c.init) {
        // Never started (or waiting to restart): reported terminated once the pod is.
        Terminated t;
        if (c.last_terminated) {
          t = *c.last_terminated;
        } else {
          t.exit_code = 137;
          t.reason = "ContainerStatusUnknown";
          t.message = "The container could not be located when the pod was terminated";
          t.started = now;
          t.finished = now;
        }
        c.terminated = t;
        c.state = State::kTerminated;
        c.ready = false;
        c.started = false;
      }
    }
  }
  Dirty();
  CheckAllStopped();
}

void PodWorker::CheckAllStopped() {
  for (auto* list : {&init_, &containers_}) {
    for (const auto& c : *list) {
      if (c.state == State::kRunning) return;
    }
  }
  if (all_stopped_) return;
  all_stopped_ = true;
  ReleaseSandbox();
  Trace("stopped", Json::object());
  Dirty();
}

void PodWorker::ReleaseSandbox() {
  if (!pod_ip_.empty() && !ip_released_) {
    host_.ReleasePodIp(pod_ip_);
    ip_released_ = true;
  }
}

}  // namespace kt::sim::cluster
