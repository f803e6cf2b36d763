/** The process table reader moved to harness/io/proc-table.ts (the process registry uses it too). */
export { parseProcStat, readProcTable, processGroupMembers, processIsRunning, type ProcEntry } from '../../io/proc-table.ts';
