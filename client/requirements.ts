import { type Tone, badge, el } from './dom.js';
import type { RequirementCheck } from './types.js';

const STATUS_TONES: Record<RequirementCheck['status'], Tone> = {
  pass: 'ok',
  fail: 'bad',
  unknown: 'neutral',
};

/**
 * Creates the checklist of the big receivers' sender requirements for one method, in a
 * container with class `requirements`. Each row has `data-requirement` (the id, such as
 * `spf_pass`) and `data-status` (`pass`, `fail` or `unknown`).
 */
export function requirementList(requirements: RequirementCheck[]): HTMLElement | null {
  if (requirements.length === 0) return null;
  const failed = requirements.filter((requirement) => requirement.status === 'fail').length;
  const summary = failed === 0 ? 'none failed' : `${failed} of ${requirements.length} failed`;
  return el('div', { className: 'requirements' }, [
    el('h5', {}, [
      'Sender requirements ',
      el('span', { className: 'muted', text: `(${summary})` }),
    ]),
    el('ul', { className: 'requirement-list' }, requirements.map(requirementRow)),
  ]);
}

function requirementRow(requirement: RequirementCheck): HTMLLIElement {
  const tone = Object.hasOwn(STATUS_TONES, requirement.status)
    ? STATUS_TONES[requirement.status]
    : 'neutral';
  const receivers =
    requirement.receivers.length > 0 ? `Required by ${requirement.receivers.join(', ')}` : '';
  return el(
    'li',
    {
      className: `requirement requirement-${tone}`,
      attrs: { 'data-requirement': requirement.id, 'data-status': requirement.status },
    },
    [
      badge(requirement.status, tone, 'requirement-status'),
      el('div', { className: 'requirement-text' }, [
        el('span', { className: 'requirement-label', text: requirement.label }),
        requirement.detail
          ? el('span', { className: 'requirement-detail', text: requirement.detail })
          : null,
        receivers ? el('span', { className: 'requirement-receivers', text: receivers }) : null,
      ]),
    ],
  );
}
