"""The index terms of the registry's texts (an enterprise's name and description, a project's title and
description), segmented once when the text is saved and kept in community's own table (SearchTerms).

The registry knows nothing of search (layers point down): community listens to its models' saves. A
reader (the index rebuild, a project's related page) takes the stored terms when their digest matches
the text it holds, and segments the text itself only for a row saved without them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import translation

from shouzhan.community.search.tokenizer import tokenize


@dataclass(frozen=True)
class Terms:
    title: list[str]
    body: list[str]

    def doc(self) -> list[str]:
        """As the index counts a document's words: the title twice."""
        return self.title * 2 + self.body


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _project_kind_label(kind: str) -> str:
    from shouzhan.registry.choices import ProjectKind

    if kind not in ProjectKind.values:
        return ""
    with translation.override("zh-hans"):  # the index is of Chinese words, whoever saved the project
        return str(ProjectKind(kind).label)


# The text each source is segmented from, as (title, body parts): the digest is taken of the same.
def enterprise_text(*, name: str, description: str) -> tuple[str, list[str]]:
    return name, [description]


def project_text(*, title: str, description: str, kind: str) -> tuple[str, list[str]]:
    return title, [description, _project_kind_label(kind)]


def text_digest(text: tuple[str, list[str]]) -> str:
    title, body = text
    return _digest(title, *body)


def segment(text: tuple[str, list[str]]) -> Terms:
    title, body = text
    return Terms(title=tokenize(title), body=[t for part in body for t in tokenize(part)])


def _stored(row: Any) -> Terms:
    return Terms(title=row.title_terms.split(), body=row.body_terms.split())


def terms_store(*, model: Any, source: str, source_id: int, text: tuple[str, list[str]]) -> None:
    """Segment the text and keep its terms, unless the terms kept are already of this text.

    `model` is SearchTerms (a migration passes its historical one)."""
    digest = text_digest(text)
    if model.objects.filter(source=source, source_id=source_id, digest=digest).exists():
        return
    terms = segment(text)
    model.objects.update_or_create(
        source=source,
        source_id=source_id,
        defaults={"digest": digest, "title_terms": " ".join(terms.title), "body_terms": " ".join(terms.body)},
    )


# ------------------------------------------------------------------------------------------ receivers
def on_enterprise_saved(*, instance: Any, raw: bool = False, **_: Any) -> None:
    from shouzhan.community.models import SearchTerms

    if raw:  # fixtures and restores: their own rows come with them, or a reader segments once
        return
    text = enterprise_text(name=instance.name, description=instance.description)
    terms_store(model=SearchTerms, source=SearchTerms.Source.ENTERPRISE, source_id=instance.pk, text=text)


def on_project_saved(*, instance: Any, raw: bool = False, **_: Any) -> None:
    from shouzhan.community.models import SearchTerms

    if raw:
        return
    text = project_text(title=instance.title, description=instance.description, kind=instance.kind)
    terms_store(model=SearchTerms, source=SearchTerms.Source.PROJECT, source_id=instance.pk, text=text)


def on_source_deleted(*, sender: Any, instance: Any, **_: Any) -> None:
    from shouzhan.community.models import SearchTerms

    source = SearchTerms.Source.PROJECT if sender.__name__ == "Project" else SearchTerms.Source.ENTERPRISE
    SearchTerms.objects.filter(source=source, source_id=instance.pk).delete()


# ------------------------------------------------------------------------------------------ readers
def stored_terms(items: Iterable[tuple[str, int, tuple[str, list[str]]]]) -> dict[tuple[str, int], Terms]:
    """The terms of each (source, id, text) in one query: the stored ones where they are of this text,
    else the text segmented now (a row written without its save signal, e.g. by a bulk update)."""
    from shouzhan.community.models import SearchTerms

    wanted = {(source, source_id): text for source, source_id, text in items}
    found: dict[tuple[str, int], Terms] = {}
    by_source: dict[str, list[int]] = {}
    for source, source_id in wanted:
        by_source.setdefault(source, []).append(source_id)
    if by_source:
        where = Q()
        for source, ids in by_source.items():
            where |= Q(source=source, source_id__in=ids)
        for row in SearchTerms.objects.filter(where).only(
            "source", "source_id", "digest", "title_terms", "body_terms"
        ):
            key = (row.source, row.source_id)
            if row.digest == text_digest(wanted[key]):
                found[key] = _stored(row)
    for key, text in wanted.items():
        if key not in found:
            found[key] = segment(text)
    return found


def enterprise_terms_many(enterprises: Iterable[Any]) -> dict[int, Terms]:
    from shouzhan.community.models import SearchTerms

    source = SearchTerms.Source.ENTERPRISE.value
    terms = stored_terms(
        (source, e.pk, enterprise_text(name=e.name, description=e.description)) for e in enterprises
    )
    return {pk: t for (_, pk), t in terms.items()}


def project_source_tokens(project: Any) -> list[str]:
    """A project as the source of its related page: its title twice, its description and kind, and its
    enterprise's description — from the stored terms."""
    from shouzhan.community.models import SearchTerms

    enterprise = project.enterprise
    p_key = (SearchTerms.Source.PROJECT.value, project.pk)
    e_key = (SearchTerms.Source.ENTERPRISE.value, enterprise.pk)
    terms = stored_terms(
        [
            (*p_key, project_text(title=project.title, description=project.description, kind=project.kind)),
            (*e_key, enterprise_text(name=enterprise.name, description=enterprise.description)),
        ]
    )
    return terms[p_key].doc() + terms[e_key].body
