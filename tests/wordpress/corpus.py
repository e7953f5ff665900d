"""The seeding INPUT of the test WordPress: a deterministic, adversarial corpus built from a fixed seed.

This is what seed.php writes into WordPress. The ground truth is NOT taken from here: truth.php reads every
field back from WordPress (see tests/wordpress/php/truth.php). The one annotation truth uses is
`lead_image.credit` (which part of a caption is the photo credit); truth.php checks that it really appears
in the caption WordPress renders and fails otherwise.

Placeholders in content, replaced by seed.php once the images are uploaded:
``{{img:KEY}}`` -> the image URL, ``{{imgid:KEY}}`` -> its attachment ID.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

SEED = 20250624
SEED_POST = Path("/work/shared/seed/000_b09bc86038cd5c4f.txt")

SITE = {
    "name": "L’Observateur européen",
    "description": "Actualités, analyses & débats",
    "timezone": "Europe/Paris",
    "admin_email": "redaction@example.org",
}

USERS = [
    # login, display name, role
    {"login": "redaction", "display_name": "La Rédaction", "role": "administrator"},
    {"login": "elodie", "display_name": "Élodie Lefèvre-Nguyễn", "role": "author"},
    {"login": "sean", "display_name": "Seán O'Brien", "role": "author"},
    {"login": "presse", "display_name": "Presse & Communication", "role": "editor"},
    {"login": "marc", "display_name": "Marc Dubois", "role": "author"},
]

CATEGORIES = [
    # key, name, parent key
    {"key": "monde", "name": "MONDE", "parent": None},
    {"key": "europe", "name": "Europe", "parent": "monde"},
    {"key": "afrique", "name": "Afrique", "parent": "monde"},
    {"key": "politique", "name": "Politique", "parent": None},
    {"key": "economie", "name": "Économie & Finances", "parent": None},
    {"key": "marches", "name": "Marchés", "parent": "economie"},
    {"key": "culture", "name": "Culture", "parent": None},
    {"key": "societe", "name": "Société", "parent": None},
    {"key": "sport", "name": "Sport", "parent": None},
]

IMAGES = [
    # key, file name, width, height, attachment caption (None = no caption), alt text
    {"key": "otan", "file": "otan-forum-la-haye.jpg", "size": [800, 450],
     "caption": "Ursula Von der Leyen, Volodymyr Zelensky et Mark Rutte. Photo : @OTAN", "alt": ""},
    {"key": "inondation", "file": "inondation-montreuil.jpg", "size": [800, 533], "caption": None,
     "alt": "Une rue inondée"},
    {"key": "assemblee", "file": "manifestation-assemblee.jpg", "size": [800, 450], "caption": None, "alt": ""},
    {"key": "bundestag", "file": "bundestag.jpg", "size": [760, 428], "caption": None, "alt": "Le Bundestag"},
    {"key": "havre", "file": "port-du-havre.jpg", "size": [800, 450],
     "caption": "Le port du Havre au petit matin © Jean-Marc Lallemand / Hans Lucas", "alt": ""},
    {"key": "armees", "file": "exercice-armees.jpg", "size": [640, 480], "caption": None, "alt": ""},
    {"key": "sommet", "file": "sommet-bruxelles.jpg", "size": [800, 450],
     "caption": "Arrival of the leaders in Brussels. Photo: John Smith/AP", "alt": ""},
    {"key": "stade", "file": "stade-de-france.jpg", "size": [800, 450], "caption": None, "alt": "Le Stade de France"},
    {"key": "discours", "file": "discours-president.jpg", "size": [800, 450],
     "caption": "Le président lors de son discours du 14 juillet.", "alt": ""},
    {"key": "carnaval1", "file": "carnaval-1.jpg", "size": [600, 400], "caption": None, "alt": "Carnaval 1"},
    {"key": "carnaval2", "file": "carnaval-2.jpg", "size": [600, 400], "caption": None, "alt": "Carnaval 2"},
    {"key": "carnaval3", "file": "carnaval-3.jpg", "size": [600, 400], "caption": None, "alt": "Carnaval 3"},
    {"key": "vignes", "file": "vignes-bourgogne.jpg", "size": [800, 450],
     "caption": "Vendanges en Bourgogne. Crédits : Photo DR", "alt": ""},
    {"key": "labo", "file": "laboratoire.jpg", "size": [700, 466], "caption": None, "alt": ""},
]

_WORDS = {
    "subjects": ["Le gouvernement", "La Commission européenne", "Le maire", "L’intersyndicale", "L’opposition",
                 "Le ministre de l’Économie", "La chambre d’agriculture", "La préfecture", "L’équipe de recherche",
                 "Le conseil régional", "Le collectif d’habitants", "La direction de l’entreprise", "Un expert",
                 "Le tribunal administratif", "L’association des usagers"],
    "verbs": ["a annoncé", "a confirmé", "a contesté", "prévoit", "envisage", "a présenté", "réclame",
              "a dénoncé", "soutient", "a publié", "a rejeté", "étudie"],
    "objects": ["un nouveau plan d’investissement", "la réforme des retraites", "un accord de coopération",
                "la hausse des prix de l’énergie", "un projet de loi sur le logement", "les résultats de l’enquête",
                "la fermeture du site industriel", "un budget rectificatif", "la création de 300 emplois",
                "un calendrier de concertation", "les nouvelles règles de circulation", "un rapport d’étape"],
    "tails": ["d’ici à la fin de l’année", "malgré les critiques", "après des mois de négociations",
              "selon nos informations", "lors d’une conférence de presse", "à la surprise générale",
              "sans donner de détails", "pour la deuxième fois en un mois", "dans un communiqué",
              "devant les élus locaux"],
}


def _sentence(rng: random.Random) -> str:
    """One plausible French news sentence."""
    parts = [rng.choice(_WORDS[k]) for k in ("subjects", "verbs", "objects", "tails")]
    return " ".join(parts) + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    """A paragraph of generated sentences."""
    return " ".join(_sentence(rng) for _ in range(sentences))


def _p(text: str) -> str:
    """A Gutenberg paragraph block."""
    return f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->"


def _h2(text: str) -> str:
    """A Gutenberg heading block."""
    return f"<!-- wp:heading -->\n<h2>{text}</h2>\n<!-- /wp:heading -->"


def _image(key: str, caption: str | None = None, alt: str = "") -> str:
    """A Gutenberg image block, with a figcaption when a caption is given."""
    figcaption = f'<figcaption class="wp-element-caption">{caption}</figcaption>' if caption else ""
    return (f'<!-- wp:image {{"id":{{{{imgid:{key}}}}},"sizeSlug":"full","linkDestination":"none"}} -->\n'
            f'<figure class="wp-block-image size-full"><img src="{{{{img:{key}}}}}" alt="{alt}" '
            f'class="wp-image-{{{{imgid:{key}}}}}"/>{figcaption}</figure>\n<!-- /wp:image -->')


def _blocks(*parts: str) -> str:
    """Join blocks the way the block editor saves them."""
    return "\n\n".join(parts)


def _body(rng: random.Random, paragraphs: int, sentences: int = 4) -> list[str]:
    """Several generated paragraph blocks."""
    return [_p(_paragraph(rng, sentences)) for _ in range(paragraphs)]


def _seed_post_paragraphs() -> list[str]:
    """The body paragraphs of the user's example page (everything between the meta and the comment form)."""
    lines = [ln.strip() for ln in SEED_POST.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("En marge du sommet"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("Source : Communiqué"))
    return [ln for ln in lines[start:end + 1] if ln]


def _comments(rng: random.Random, approved: int, extra: dict[str, int] | None = None,
              threaded: bool = False, start: str = "2025-03-01 10:00:00") -> list[dict[str, Any]]:
    """Comments for a post: `approved` visible ones (some replies when threaded) plus held/spam/trash ones."""
    names = ["Jacques", "Amélie", "Karim B.", "Sophie & Paul", "Jean-Pierre L'Hermite", "Nadia", "Thomas",
             "Lucie", "Mathieu", "Inès"]
    out: list[dict[str, Any]] = []
    day, hour = start.split(" ")
    h = int(hour[:2])
    for i in range(approved):
        parent = None
        if threaded and i >= 2 and i % 3 == 2:
            parent = f"c{i - 1}"
        out.append({"key": f"c{i}", "author": names[i % len(names)], "email": f"lecteur{i}@example.org",
                    "content": _sentence(rng), "status": "1", "parent": parent,
                    "date": f"{day} {(h + i // 6) % 24:02d}:{(i * 7) % 60:02d}:00"})
    for status, count in (extra or {}).items():
        for j in range(count):
            out.append({"key": f"{status}{j}", "author": "Visiteur", "email": f"{status}{j}@example.org",
                        "content": f"Commentaire {status} : {_sentence(rng)}", "status": status, "parent": None,
                        "date": f"{day} 23:{10 + j:02d}:00"})
    return out


def build_corpus(seed: int = SEED) -> dict[str, Any]:
    """Build the whole corpus (site, users, terms, images, posts) from `seed`; same seed, same corpus."""
    rng = random.Random(seed)
    posts: list[dict[str, Any]] = []

    def post(**kw: Any) -> dict[str, Any]:
        base = {"status": "publish", "author": "redaction", "categories": [], "tags": [], "comments": [],
                "comment_status": "open", "featured": None, "lead_image": None, "excerpt": "", "sticky": False,
                "password": "", "slug": "", "modified": None, "trash_after_publish": False}
        base.update(kw)
        posts.append(base)
        return base

    # 1. The user's example page (OceanWP news site): category MONDE, featured image credit "Photo : @OTAN".
    post(key="otan-la-haye",
         title="La Haye : l’OTAN mise sur l’innovation et la coopération industrielle pour renforcer sa défense",
         date="2025-06-24 19:42:00", categories=["monde"], featured="otan",
         lead_image={"where": "featured", "credit": "@OTAN"},
         content=_blocks(*[_p(t) for t in _seed_post_paragraphs()]))
    # 2. Title with « », ’, &, straight quotes (texturized by WordPress) and an emoji.
    post(key="titre-piege", title="« Nuit blanche » à Paris : l’art & la fête \"jusqu'au bout\" 🎉",
         date="2025-06-07 21:15:00", categories=["culture"], tags=["Paris", "fête"], author="elodie",
         content=_blocks(*_body(rng, 4)))
    # 3. A ~5,000-word post.
    long_parts = []
    for section in range(10):
        long_parts.append(_h2(f"Partie {section + 1} : {rng.choice(_WORDS['objects'])}"))
        long_parts.extend(_p(_paragraph(rng, 6)) for _ in range(7))
    post(key="dossier-long", title="Dossier : la transition énergétique européenne en dix chapitres",
         date="2025-05-18 08:00:00", categories=["economie", "europe"], tags=["énergie", "climat"],
         author="elodie", content=_blocks(*long_parts))
    # 4. A post split with <!--nextpage--> into three pages.
    pages = [_blocks(_h2(f"Page {n}"), *_body(rng, 3)) for n in (1, 2, 3)]
    post(key="pagine", title="Enquête en trois pages : les ports de la mer du Nord", date="2025-04-02 07:30:00",
         categories=["economie"], tags=["ports", "enquête"], author="marc",
         content="\n\n<!-- wp:nextpage -->\n<!--nextpage-->\n<!-- /wp:nextpage -->\n\n".join(pages))
    # 5. A post with <!--more--> and a hand-written excerpt.
    post(key="plus", title="Le budget 2026 adopté en commission", date="2025-10-15 18:05:00",
         categories=["politique", "economie"], tags=["budget"], author="sean",
         excerpt="La commission des finances a adopté le projet de budget, non sans mal.",
         content=_blocks(*_body(rng, 1), "<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->", *_body(rng, 4)))
    # 6. The sticky post.
    post(key="sticky", title="À la une : ce qu’il faut retenir de la semaine", date="2025-03-09 12:00:00",
         sticky=True, categories=["societe"], tags=["la une"], content=_blocks(*_body(rng, 3)))
    # 7. A gallery and a YouTube embed (oEmbed cannot reach YouTube here, so WordPress prints a link).
    gallery = ('<!-- wp:gallery {"linkTo":"none"} -->\n'
               '<figure class="wp-block-gallery has-nested-images columns-default is-cropped">'
               + "".join(_image(k, alt=f"Carnaval {i + 1}") for i, k in enumerate(("carnaval1", "carnaval2", "carnaval3")))
               + '<figcaption class="blocks-gallery-caption wp-element-caption">Le carnaval en trois images</figcaption>'
               '</figure>\n<!-- /wp:gallery -->')
    embed = ('<!-- wp:embed {"url":"https://www.youtube.com/watch?v=aqz-KE-bpKQ","type":"video",'
             '"providerNameSlug":"youtube","responsive":true,"className":"wp-embed-aspect-16-9 wp-has-aspect-ratio"} -->\n'
             '<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube '
             'wp-embed-aspect-16-9 wp-has-aspect-ratio"><div class="wp-block-embed__wrapper">\n'
             'https://www.youtube.com/watch?v=aqz-KE-bpKQ\n</div></figure>\n<!-- /wp:embed -->')
    post(key="galerie", title="En images : le carnaval de Dunkerque", date="2025-02-23 16:45:00",
         categories=["culture"], tags=["carnaval", "Dunkerque"], author="marc",
         content=_blocks(*_body(rng, 1), gallery, *_body(rng, 1), embed, *_body(rng, 1)))
    # 8-9. Two posts with the same title.
    for n, date in enumerate(("2025-08-11 06:10:00", "2025-08-12 06:05:00")):
        post(key=f"meme-titre-{n + 1}", title="Météo : orages attendus sur le Sud-Ouest", date=date,
             categories=["societe"], tags=["météo"], content=_blocks(*_body(rng, 2)))
    # 10. Published at 00:30 local time on 1 January (still 31 December in UTC).
    post(key="nouvel-an", title="Bonne année 2025 : les vœux de la rédaction", date="2025-01-01 00:30:00",
         categories=["societe"], content=_blocks(*_body(rng, 2)))
    # 11. Many approved comments with threaded replies, plus pending, spam and trashed ones that must not count.
    post(key="debat", title="Débat : faut-il interdire les voitures en centre-ville ?", date="2025-03-01 09:00:00",
         categories=["societe", "politique"], tags=["mobilité", "ville"], author="sean",
         content=_blocks(*_body(rng, 3)),
         comments=_comments(rng, 12, {"0": 2, "spam": 1, "trash": 1}, threaded=True))
    # 12. Exactly one approved comment (and one pending).
    post(key="un-commentaire", title="Courrier des lecteurs : la ligne 14 enfin prolongée",
         date="2025-06-30 14:20:00", categories=["societe"], tags=["transports"],
         content=_blocks(*_body(rng, 2)), comments=_comments(rng, 1, {"0": 1}, start="2025-07-01 08:00:00"))
    # 13. Comments closed on a post that has comments.
    post(key="commentaires-fermes", title="Tribune : pour en finir avec la réunionite", date="2025-02-02 10:00:00",
         categories=["societe"], tags=["travail"], comment_status="closed", author="presse",
         content=_blocks(*_body(rng, 3)), comments=_comments(rng, 3, start="2025-02-02 12:00:00"))
    # 14. A Gutenberg image block with its figcaption at the top of the content ("Crédit photo : AFP").
    post(key="credit-figcaption", title="Inondations dans le Pas-de-Calais : l’état de catastrophe naturelle reconnu",
         date="2025-11-20 17:00:00", categories=["societe"], tags=["inondations"], author="elodie",
         lead_image={"where": "content", "credit": "AFP"},
         content=_blocks(_image("inondation", "Une rue inondée à Montreuil-sur-Mer. Crédit photo : AFP",
                                "Une rue inondée"), *_body(rng, 3)))
    # 15. A classic-editor post with a [caption] shortcode.
    post(key="credit-shortcode", title="Manifestation devant l’Assemblée nationale", date="2024-12-05 15:30:00",
         categories=["politique"], tags=["manifestation"], author="marc",
         lead_image={"where": "content", "credit": "Reuters"},
         content=('[caption id="attachment_{{imgid:assemblee}}" align="aligncenter" width="800"]'
                  '<img class="size-full wp-image-{{imgid:assemblee}}" src="{{img:assemblee}}" alt="" width="800" '
                  'height="450" /> Des manifestants devant l’Assemblée nationale. © Reuters[/caption]\n\n'
                  + "\n\n".join(_paragraph(rng, 4) for _ in range(3))))
    # 16. A plain "Photo : Reuters" line under an image without caption.
    post(key="credit-ligne", title="Le Bundestag vote une hausse du budget de la défense", date="2025-03-18 20:00:00",
         categories=["europe"], tags=["Allemagne", "défense"], author="sean",
         lead_image={"where": "content-next-line", "credit": "Reuters"},
         content=_blocks(_image("bundestag", alt="Le Bundestag"), _p("Photo : Reuters"), *_body(rng, 3)))
    # 17. "©" in the featured image caption.
    post(key="credit-copyright", title="Le Havre : le port mise sur l’éolien en mer", date="2025-09-09 07:45:00",
         categories=["economie", "marches"], tags=["éolien", "Normandie"], featured="havre", author="elodie",
         lead_image={"where": "featured", "credit": "Jean-Marc Lallemand / Hans Lucas"},
         content=_blocks(*_body(rng, 3)))
    # 18. "©Name" glued, in a figcaption at the top.
    post(key="credit-copyright-colle", title="Exercice militaire d’ampleur dans le camp de Mailly",
         date="2025-04-22 11:11:00", categories=["politique"], tags=["défense"], author="presse",
         lead_image={"where": "content", "credit": "Ministère des Armées"},
         content=_blocks(_image("armees", "©Ministère des Armées"), *_body(rng, 2)))
    # 19. English-style credit in the featured caption.
    post(key="credit-anglais", title="Sommet de Bruxelles : accord à l’arraché sur l’élargissement",
         date="2025-12-19 02:15:00", categories=["europe"], tags=["Europe", "élargissement"], featured="sommet",
         lead_image={"where": "featured", "credit": "John Smith/AP"}, content=_blocks(*_body(rng, 3)))
    # 20. Featured image without caption: no credit at all.
    post(key="sans-credit-featured", title="Le Stade de France accueillera la finale", date="2025-05-30 22:40:00",
         categories=["sport"], tags=["football"], featured="stade", lead_image={"where": "featured", "credit": None},
         content=_blocks(*_body(rng, 2)))
    # 21. A featured caption that names no credit.
    post(key="legende-sans-credit", title="14 Juillet : ce qu’il faut retenir du discours", date="2025-07-14 13:00:00",
         categories=["politique"], tags=["président"], featured="discours",
         lead_image={"where": "featured", "credit": None}, content=_blocks(*_body(rng, 3)))
    # 22. "Crédits : Photo DR" form.
    post(key="credit-dr", title="Vendanges précoces en Bourgogne", date="2025-08-28 09:30:00",
         categories=["economie"], tags=["vin", "Bourgogne"], featured="vignes", author="marc",
         lead_image={"where": "featured", "credit": "Photo DR"}, content=_blocks(*_body(rng, 2)))
    # 23. A tag named like a category ("Europe"), in another category.
    post(key="tag-comme-categorie", title="Élections : la participation en hausse", date="2025-06-09 23:55:00",
         categories=["politique"], tags=["Europe", "élections"], author="presse", content=_blocks(*_body(rng, 3)))
    # 24. Child categories of MONDE.
    post(key="sous-categories", title="Sommet UE-Afrique : les annonces d’Abidjan", date="2025-11-24 19:00:00",
         categories=["europe", "afrique"], tags=["diplomatie"], author="sean", content=_blocks(*_body(rng, 3)))
    # 25. No category given: WordPress files it under the default category.
    post(key="sans-categorie", title="Note de la rédaction", date="2024-09-01 08:00:00",
         content=_blocks(*_body(rng, 1)))
    # 26. Many tags.
    post(key="beaucoup-de-tags", title="Ce que contient la loi de programmation de la recherche",
         date="2024-11-13 10:10:00", categories=["politique", "economie"], author="elodie",
         tags=["recherche", "R&D", "université", "budget", "innovation", "CNRS", "science", "l'avenir"],
         content=_blocks(*_body(rng, 3)))
    # 27. Modified well after publication.
    post(key="mis-a-jour", title="Grève SNCF : le trafic reprend progressivement", date="2025-01-20 06:00:00",
         modified="2025-01-21 18:30:00", categories=["societe"], tags=["grève", "SNCF"], author="marc",
         content=_blocks(*_body(rng, 2), _p("<strong>Mise à jour :</strong> le trafic est rétabli sur la plupart des lignes.")))
    # 28. Structured body: list, quote, table.
    post(key="structure", title="Les cinq chiffres clés du chômage", date="2025-10-31 08:30:00",
         categories=["economie", "marches"], tags=["emploi"], author="sean",
         comments=_comments(rng, 2, start="2025-10-31 12:00:00"),
         content=_blocks(_p(_paragraph(rng, 2)),
                         "<!-- wp:list -->\n<ul><li>7,4 % de chômeurs</li><li>+0,2 point sur un an</li>"
                         "<li>2,3 millions de demandeurs d’emploi</li></ul>\n<!-- /wp:list -->",
                         "<!-- wp:quote -->\n<blockquote class=\"wp-block-quote\"><p>« La tendance est à la "
                         "stabilisation »</p><cite>Un économiste</cite></blockquote>\n<!-- /wp:quote -->",
                         "<!-- wp:table -->\n<figure class=\"wp-block-table\"><table><tbody><tr><td>2024</td>"
                         "<td>7,3 %</td></tr><tr><td>2025</td><td>7,4 %</td></tr></tbody></table></figure>\n"
                         "<!-- /wp:table -->", _p(_paragraph(rng, 3))))
    # 29. Winter date (+01:00) in 2023.
    post(key="archive-2023", title="Il y a deux ans : la réforme des retraites", date="2023-03-16 15:00:00",
         categories=["politique"], tags=["retraites"], author="presse", content=_blocks(*_body(rng, 2)))
    # 30. An ampersand and a percent in the title, image with credit inside the content not at the top.
    post(key="esperluette", title="Recherche & développement : 3 % du PIB, un objectif hors d’atteinte ?",
         date="2025-09-30 17:17:00", categories=["economie"], tags=["R&D"], author="elodie",
         lead_image={"where": None, "credit": None},
         content=_blocks(*_body(rng, 2), _image("labo", "Un laboratoire à Saclay. Photo : CEA"), *_body(rng, 1)))
    # 31-34. Plain posts of various authors and dates, with 0 comments.
    for n, (key, title, date, cats, author) in enumerate([
        ("sport-tour", "Tour de France : l’étape de montagne bouleverse le classement", "2025-07-19 18:50:00",
         ["sport"], "marc"),
        ("culture-festival", "Festival d’Avignon : une édition record", "2025-07-27 10:00:00", ["culture"], "elodie"),
        ("afrique-elections", "Sénégal : un scrutin sous haute surveillance", "2025-02-14 09:45:00",
         ["afrique"], "sean"),
        ("marches-bourse", "Le CAC 40 termine l’année en hausse", "2024-12-31 18:00:00", ["marches"], "presse"),
    ]):
        post(key=key, title=title, date=date, categories=cats, author=author, tags=[],
             content=_blocks(*_body(rng, 2 + n % 2)))

    # Unpublished: none of these may be reachable by an anonymous visitor.
    post(key="protege", title="Document réservé aux abonnés", date="2025-05-05 05:05:00", password="secret",
         categories=["politique"], content=_blocks(*_body(rng, 2)))
    post(key="brouillon", title="Brouillon : ne pas publier", status="draft", date="2025-06-01 10:00:00",
         categories=["societe"], content=_blocks(*_body(rng, 1)))
    post(key="prive", title="Note interne privée", status="private", date="2025-06-02 10:00:00",
         categories=["societe"], content=_blocks(*_body(rng, 1)))
    post(key="programme", title="Article programmé pour 2030", status="future", date="2030-01-01 08:00:00",
         categories=["societe"], content=_blocks(*_body(rng, 1)))
    post(key="en-attente", title="Article en attente de relecture", status="pending", date="2025-06-03 10:00:00",
         categories=["societe"], content=_blocks(*_body(rng, 1)))
    post(key="corbeille", title="Article retiré et mis à la corbeille", date="2025-06-04 10:00:00",
         trash_after_publish=True, categories=["societe"], content=_blocks(*_body(rng, 1)))

    return {"seed": seed, "site": SITE, "users": USERS, "categories": CATEGORIES, "images": IMAGES,
            "posts": posts, "default_category_name": "Non classé"}


def write_corpus(path: Path, seed: int = SEED) -> Path:
    """Write the corpus as JSON for seed.php."""
    path.write_text(json.dumps(build_corpus(seed), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


if __name__ == "__main__":
    corpus = build_corpus()
    published = [p for p in corpus["posts"] if p["status"] == "publish" and not p["password"]
                 and not p["trash_after_publish"]]
    print(f"{len(corpus['posts'])} posts, {len(published)} published")
