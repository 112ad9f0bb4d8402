import { simulate } from './lambdas/core/simulate/index';
import { loadLocalSetup, replayEvents } from './lambdas/adapters/local-replay';
async function main() {
  for (const seed of [1, 2, 3]) {
    const sim = simulate({ seed });
    const setup = await loadLocalSetup({ inlineContracts: sim.contracts });
    const r = await replayEvents({ cloudtrail: sim.cloudtrail, apiGateway: sim.apiGateway }, setup);
    const labelled = new Map<string, Set<string>>(); // eventId -> rules
    for (const l of sim.labels) { if (!labelled.has(l.eventId)) labelled.set(l.eventId, new Set()); labelled.get(l.eventId)!.add(l.rule); }
    const episodes = new Map<string, { rule: string; ids: Set<string> }>();
    for (const l of sim.labels) { const k = l.attackId + '|' + l.rule; if (!episodes.has(k)) episodes.set(k, { rule: l.rule, ids: new Set() }); episodes.get(k)!.ids.add(l.eventId); }
    const missed: string[] = [];
    for (const [k, ep] of episodes) if (!r.findings.some((f) => f.ruleId === ep.rule && f.eventIds.some((id) => ep.ids.has(id)))) missed.push(k);
    const falseF = r.findings.filter((f) => !f.eventIds.some((id) => labelled.has(id)));
    const wrongRule = r.findings.filter((f) => f.eventIds.some((id) => labelled.has(id)) && !f.eventIds.some((id) => labelled.get(id)?.has(f.ruleId)));
    console.log(`seed ${seed}: events ${r.events} findings ${r.findings.length} episodes ${episodes.size} missed ${missed.length} ${missed.join(' ')} | false(no labelled event) ${falseF.length} | on attack events but other rule ${wrongRule.length}`);
    for (const f of falseF) console.log('  FALSE', f.ruleId, f.identityKey, f.summary.slice(0, 140));
  }
}
void main();
