/**
 * Bringing up a service scenario's processes in order: dependencies (each on a free
 * loopback port), one chaos proxy per dependency, then the service with its placeholders
 * filled (`{dep.<name>}` is the PROXIED address, so every dependency call crosses the
 * chaos). Everything started is stopped by `stop()`, and is in the child registry besides,
 * so a signal or a crash of the harness cannot orphan it.
 */
import path from 'node:path';
import type { ResolvedServiceDependency, ResolvedServiceScenario } from '../../scenario/service-types.ts';
import { ChaosNetwork } from './chaos-network.ts';
import { fillPlaceholders } from './placeholders.ts';
import { freePort, startProcess, type ManagedProcess, type ProcessExit } from './process.ts';
import { waitForReady } from './readiness.ts';

export interface RunningDependency {
  name: string;
  /** Where the dependency really listens. */
  upstream: string;
  /** Where the service reaches it, through the chaos proxy. */
  proxied: string;
  process: ManagedProcess | null;
}

export interface ProcessDeath {
  process: ManagedProcess;
  exit: ProcessExit;
}

export interface ServiceStack {
  origin: string;
  service: ManagedProcess;
  serviceArgv: string[];
  dependencies: RunningDependency[];
  chaos: ChaosNetwork;
  /** Resolves when the service or a started dependency exits without being asked to. */
  died: Promise<ProcessDeath>;
  /** The first unasked exit so far, or null. */
  death(): ProcessDeath | null;
  stop(): Promise<void>;
}

export interface StartStackOptions {
  seed: number;
  signal?: AbortSignal;
  /** Overrides TOXIPROXY_URL (tests). */
  toxiproxyUrl?: string;
  /** Extra environment for the service process only, over the scenario's (e.g. NODE_OPTIONS for the service trace). */
  serviceEnv?: Record<string, string>;
}

async function startDependency(dep: ResolvedServiceDependency, cwd: string, scenario: string, signal?: AbortSignal): Promise<{ upstream: string; process: ManagedProcess | null }> {
  if (dep.address !== null || dep.command === null) return { upstream: dep.address ?? '', process: null };
  const port = await freePort();
  const proc = startProcess({ label: `dependency ${dep.name} of ${scenario}`, argv: fillPlaceholders(dep.command, { port }), cwd, env: dep.env });
  if (dep.ready) await waitForReady(proc, `http://127.0.0.1:${port}${dep.ready.path}`, dep.ready.timeoutMs, signal);
  else await waitForPort(proc, port, 10_000, signal);
  return { upstream: `127.0.0.1:${port}`, process: proc };
}

/** A dependency without an HTTP readiness path is ready when its port accepts connections. */
async function waitForPort(proc: ManagedProcess, port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const net = await import('node:net');
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && !signal?.aborted && proc.running()) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${proc.label} did not listen on 127.0.0.1:${port}; output: ${proc.outputTail().slice(-1500) || '(none)'}`);
}

export async function startServiceStack(scenario: ResolvedServiceScenario, options: StartStackOptions): Promise<ServiceStack> {
  const cwd = path.dirname(scenario.file);
  const processes: ManagedProcess[] = [];
  const chaos = await ChaosNetwork.open({ seed: options.seed, scenario: scenario.name, externalUrl: options.toxiproxyUrl, allowNonLoopbackListen: scenario.network.allowNonLoopbackListen });
  const stopAll = async (): Promise<void> => {
    // Service first (it holds connections to the proxies), then proxies, then dependencies.
    for (const proc of [...processes].reverse()) await proc.stop();
    await chaos.close();
  };
  try {
    const dependencies: RunningDependency[] = [];
    for (const dep of scenario.dependencies) {
      const started = await startDependency(dep, cwd, scenario.name, options.signal);
      if (started.process) processes.push(started.process);
      const proxied = await chaos.addDependency(dep.name, started.upstream, dep.toxics);
      dependencies.push({ name: dep.name, upstream: started.upstream, proxied, process: started.process });
    }
    const port = await freePort();
    const deps = Object.fromEntries(dependencies.map((d) => [d.name, d.proxied]));
    const serviceArgv = fillPlaceholders(scenario.service.command, { port, deps });
    const service = startProcess({ label: `service of ${scenario.name}`, argv: serviceArgv, cwd, env: { ...scenario.service.env, ...options.serviceEnv } });
    processes.push(service);
    const origin = `http://127.0.0.1:${port}`;
    await waitForReady(service, `${origin}${scenario.service.ready.path}`, scenario.service.ready.timeoutMs, options.signal);
    let first: ProcessDeath | null = null;
    const died = new Promise<ProcessDeath>((resolve) => {
      for (const proc of processes) {
        void proc.exited.then((exit) => {
          if (exit.stopped || first) return;
          first = { process: proc, exit };
          resolve(first);
        });
      }
    });
    return { origin, service, serviceArgv, dependencies, chaos, died, death: () => first, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
