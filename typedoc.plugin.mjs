// A TypeDoc plugin of this project: the members an rx-realtime stream type inherits from rxjs's Observable (pipe,
// subscribe, forEach …) are rxjs's to document, not ours; they are left out of the API pages (their comments link
// to rxjs names TypeDoc cannot resolve from here, so they were also the only warnings).
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const members = context.project.getReflectionsByKind(
      ReflectionKind.Method | ReflectionKind.Property | ReflectionKind.Accessor | ReflectionKind.Constructor,
    );
    for (const member of members) {
      const from = member.inheritedFrom?.qualifiedName ?? member.inheritedFrom?.name ?? '';
      const pkg = member.inheritedFrom?.package;
      if (pkg === 'rxjs' || (/^Observable\./.test(from) && pkg !== 'rx-realtime'))
        context.project.removeReflection(member);
    }
  });
}
