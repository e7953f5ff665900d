"""Localised strings (fr, en, de, es, it, pt, nl) that WordPress, its themes and news captions print."""
from __future__ import annotations

import re

#: Month names (full and common abbreviations) -> month number, all languages in one table.
MONTHS: dict[str, int] = {}
_MONTH_NAMES = {
    "en": "january february march april may june july august september october november december",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}
_MONTH_ABBREVIATIONS = {
    "en": "jan feb mar apr may jun jul aug sep oct nov dec",
    "fr": "janv févr mars avr mai juin juil août sept oct nov déc",
    "de": "jan feb mär apr mai jun jul aug sep okt nov dez",
    "es": "ene feb mar abr may jun jul ago sep oct nov dic",
    "it": "gen feb mar apr mag giu lug ago set ott nov dic",
    "pt": "jan fev mar abr mai jun jul ago set out nov dez",
    "nl": "jan feb mrt apr mei jun jul aug sep okt nov dec",
}
for _table in (_MONTH_ABBREVIATIONS, _MONTH_NAMES):
    for _names in _table.values():
        for _number, _name in enumerate(_names.split(), start=1):
            MONTHS[_name] = _number
MONTHS.update({"sept": 9, "setembro": 9, "fevr": 2, "fevrier": 2, "aout": 8, "decembre": 12, "marz": 3,
               "maerz": 3, "marco": 3})

#: Unambiguous labels before an author name, stripped even from link texts ("View all posts by X", "Par : X").
AUTHOR_LABEL = re.compile(
    r"^\s*(?:(?:view\s+)?(?:all\s+)?(?:posts|articles|entries|beiträge|artigos|articoli|entradas)\s+"
    r"(?:by|par|de|von|di|door|scritti\s+da)|written\s+by|posted\s+by|published\s+by|écrit\s+par|publié\s+par|"
    r"verfasst\s+von|geschrieben\s+von|escrito\s+por|publicado\s+por|scritto\s+da|pubblicato\s+da|"
    r"geschreven\s+door|(?:by|par|von|por|di|door|autor|auteur|author)\s*:)\s*",
    re.IGNORECASE,
)
#: "By", "Par", "Von"… printed before an author name (theme labels and Yoast's twitter:label1 text).
AUTHOR_PREFIX = re.compile(
    r"^\s*(?:written\s+by|posted\s+by|published\s+by|author|by|"
    r"écrit\s+par|publié\s+par|rédigé\s+par|auteur(?:/autrice)?(?:\s+de\s+la\s+publication)?|par|"
    r"verfasst\s+von|geschrieben\s+von|autor(?:in)?|von|"
    r"escrito\s+por|publicado\s+por|autora?|por|"
    r"scritto\s+da|pubblicato\s+da|autore|di|da|"
    r"geschreven\s+door|auteur|door)\s*:?\s+",
    re.IGNORECASE,
)

#: twitter:label1 values that announce the author's name in twitter:data1 (Yoast, Rank Math; localised).
WRITTEN_BY_LABELS = {"written by", "écrit par", "verfasst von", "escrito por", "scritto da", "geschreven door",
                     "auteur", "author", "autor"}

#: Labels that introduce a photo credit in a caption, longest first so "Crédit photo :" wins over "Crédit :".
CREDIT_LABELS = sorted([
    # fr
    "Crédit photo", "Crédits photo", "Crédits photos", "Crédit photos", "Crédit", "Crédits", "Photo d'illustration",
    "Image illustrative", "Photo illustrative", "Image d'illustration", "Image d’illustration",
    "Photo d’illustration", "Illustration", "Photos", "Photo", "Image", "Source", "Copyright",
    # en
    "Photo by", "Photos by", "Photograph", "Photograph by", "Image credit", "Image courtesy of", "Credit",
    "Photo credit", "Photo courtesy of", "Courtesy of", "Courtesy", "Image by", "Picture",
    # de
    "Foto", "Fotos", "Bild", "Bildquelle", "Quelle", "Fotoquelle", "Bildnachweis",
    # es
    "Fotografía", "Imagen", "Crédito", "Créditos", "Fuente", "Foto de", "Fotos de",
    # it
    "Foto di", "Crediti", "Fonte", "Immagine", "Credits",
    # pt
    "Fotografia", "Imagem", "Créditos da foto", "Crédito da foto",
    # nl
    "Beeld", "Afbeelding", "Bron", "Fotografie",
    # abbreviations
    "Ph", "Ph.",
], key=len, reverse=True)

#: Comment-count texts: zero words, "leave a comment" calls to action, and "one" words per language.
ZERO_COMMENTS = re.compile(
    r"\b(?:no\s+comments?|no\s+responses?|no\s+replies|none|aucun|aucune|pas\s+de\s+commentaire|keine?|"
    r"no\s+hay|ningún|ninguno|sin\s+comentarios|nessun|nessuna|sem\s+comentários|nenhum|nenhuma|geen)\b",
    re.IGNORECASE,
)
LEAVE_A_COMMENT = re.compile(
    r"\b(?:leave\s+a|add\s+a|write\s+a|post\s+a|be\s+the\s+first|laisser\s+un|laissez\s+un|écrire\s+un|"
    r"ajouter\s+un|schreibe\s+einen|kommentar\s+verfassen|kommentar\s+schreiben|hinterlasse|deja\s+un|"
    r"deja\s+una|dejar\s+un|escribe\s+un|lascia\s+un|scrivi\s+un|deixe\s+um|deixe\s+uma|deixar\s+um|"
    r"laat\s+een|plaats\s+een|schrijf\s+een|soyez\s+le\s+premier|sé\s+el\s+primero|sei\s+der\s+erste|"
    r"sii\s+il\s+primo|seja\s+o\s+primeiro|wees\s+de\s+eerste)\b",
    re.IGNORECASE,
)
COMMENTS_CLOSED = re.compile(
    r"\b(?:comments?\s+(?:are\s+)?(?:off|closed)|commentaires\s+(?:fermés|désactivés)|"
    r"kommentare\s+(?:deaktiviert|geschlossen)|comentarios\s+(?:desactivados|cerrados)|"
    r"commenti\s+(?:disabilitati|chiusi)|comentários\s+(?:fechados|desativados)|"
    r"reacties\s+(?:gesloten|uitgeschakeld))\b",
    re.IGNORECASE,
)
ONE_COMMENT = re.compile(
    r"\b(?:one|un|une|ein|eine|einen|uno|una|um|uma|één|een)\s+"   # the noun right after: not "um das Antworten"
    r"(?:comments?|responses?|repl(?:y|ies)|thoughts?|commentaires?|réponses?|réflexions?|kommentare?|"
    r"antwort(?:en)?|comentarios?|respuestas?|commento|commenti|risposta|comentários?|resposta|reacties?)\b",
    re.IGNORECASE,
)

#: Words in a link or heading that say it is about comments (so its number is a comment count).
COMMENT_NOUNS = re.compile(
    r"comment|répons|respons|repl|thought|réflexion|kommentar|antwort|comentario|comentário|commento|commenti|"
    r"rispost|respuesta|resposta|reacti",
    re.IGNORECASE,
)

#: Labels opening a list of links to other posts ("See also", "Siehe auch", "Lire aussi"…), colon optional.
SEE_ALSO = re.compile(
    r"\s*(?:see\s+also|related(?:\s+(?:posts|articles|reading))?|read\s+(?:also|more)|more\s+on\s+this|"
    r"siehe\s+auch|lesen\s+sie\s+auch|mehr\s+zum\s+thema|auch\s+interessant|"
    r"(?:à\s+)?lire\s+aussi|voir\s+aussi|sur\s+le\s+même\s+sujet|"
    r"ver\s+también|vea\s+también|lea\s+también|leggi\s+anche|vedi\s+anche|veja\s+também|leia\s+também|"
    r"zie\s+ook|lees\s+ook)\s*[:.…]?\s*",
    re.IGNORECASE,
)

#: The label of a category line ("Kategorien:", "Posted in", "Publié dans"…), removed before its names.
CATEGORY_LABEL = re.compile(
    r"^\s*(?:(?:posted|filed|published)\s+(?:in|under)|categor(?:y|ies)|kategorien?|rubriken?|veröffentlicht\s+in|"
    r"abgelegt\s+unter|catégories?|publié\s+dans|classé\s+dans|rubriques?|categorías?|publicado\s+en|"
    r"categori[ae]|pubblicato\s+in|archiviato\s+in|categorias?|publicado\s+em|categorieën|categorie|"
    r"geplaatst\s+in)\s*:?\s*",
    re.IGNORECASE,
)
#: A plain-text byline on a meta line: "Posted by X under …", "Geschrieben von X am …", "Publié par X dans …".
POSTED_BY = re.compile(
    r"\b(?:posted|written|published|geschrieben|verfasst|veröffentlicht|publié|écrit|rédigé|publicado|escrito|"
    r"pubblicato|scritto|geplaatst|geschreven)\s+(?:by|von|par|por|da|di|door)\s+"
    r"(?P<name>[^\s,|:]+(?:\s+[^\s,|:]+){0,2}?)\s+"
    r"(?:under|in|on|at|am|im|um|unter|le|dans|à|en|el|em|il|nel|op)\b",
    re.IGNORECASE,
)
