/*
 * nicknames.c - the forename table: short and pet forms -> canonical given
 * names, English and Welsh, for "are these two forenames the same person's?".
 *
 * One row per (short form, canonical) pair, sorted by short form in byte
 * order so lookup is a binary search (tests check the order). A short form
 * with several rows is ambiguous (Sam: Samuel, Samantha; Beth: Elizabeth,
 * Bethan) and stands for all of them. Spelling variants map to one
 * canonical spelling (Katherine, Kathryn -> catherine) and Welsh forms to
 * their English equivalent where one is commonly used for the same person
 * (Dafydd, Dewi -> david; Gwilym -> william; Tomos -> thomas; Sion, Ioan ->
 * john; Huw -> hugh). Those rows are marked translations: they count as
 * evidence when scoring a pair, but two forenames related only through one
 * are two registered names to the cluster guard (cpi_norm_forenames_one_name)
 * - twins Tomos and Thomas ROBERTS.
 *
 * Deliberately left out: Lisa, Liam, Elsie, Kay, Jack -> John (each is now
 * registered as a name in its own right, so mapping it would merge different
 * children); Bethan, Rhiannon, Megan, Catrin, Gwenllian are canonical names,
 * never short forms of an English one.
 */
#include "core/normalise/normalise.h"
#include "core/normalise/internal.h"

#include <string.h>

static const cpi_norm__nickname NICKNAMES[] = {
    {"abbie", "abigail"}, {"abby", "abigail"}, {"abi", "abigail"}, {"alec", "alexander"},
    {"alex", "alexander"}, {"alex", "alexandra"}, {"alexa", "alexandra"}, {"alf", "alfred"},
    {"alfie", "alfred"}, {"andy", "andrew"}, {"ann", "anne"}, {"annie", "anne"},
    {"ant", "anthony"}, {"becca", "rebecca"}, {"becky", "rebecca"}, {"bella", "arabella"},
    {"bella", "isabella"}, {"ben", "benjamin"}, {"benji", "benjamin"}, {"benny", "benjamin"},
    {"bernie", "bernadette"}, {"bernie", "bernard"}, {"bert", "albert"}, {"bert", "herbert"},
    {"bert", "robert"}, {"bertie", "albert"}, {"bertie", "robert"}, {"bess", "elizabeth"},
    {"bessie", "elizabeth"}, {"beth", "bethan"}, {"beth", "elizabeth"}, {"betsy", "elizabeth"},
    {"betty", "elizabeth"}, {"bex", "rebecca"}, {"bill", "william"}, {"billy", "william"},
    {"bob", "robert"}, {"bobby", "robert"}, {"brad", "bradley"}, {"cassie", "cassandra"},
    {"cat", "catherine"}, {"cat", "catrin"}, {"cath", "catherine"}, {"catharine", "catherine"},
    {"cathy", "catherine"}, {"cati", "catrin"}, {"charlie", "charles"}, {"charlie", "charlotte"},
    {"chas", "charles"}, {"chris", "christina"}, {"chris", "christine"}, {"chris", "christopher"},
    {"chrissie", "christine"}, {"chrissy", "christine"}, {"chuck", "charles"}, {"dafydd", "david"},
    {"dai", "dafydd"}, {"dai", "david"}, {"dan", "daniel"}, {"dani", "daniel"},
    {"dani", "danielle"}, {"danny", "daniel"}, {"dave", "dafydd"}, {"dave", "david"},
    {"davey", "david"},
    {"davy", "david"}, {"deb", "deborah"}, {"debbie", "deborah"}, {"debs", "deborah"},
    {"deio", "dafydd"}, {"dewi", "david"}, {"dick", "richard"}, {"don", "donald"},
    {"donny", "donald"}, {"dot", "dorothy"}, {"dotty", "dorothy"}, {"doug", "douglas"},
    {"dougie", "douglas"}, {"drew", "andrew"}, {"ed", "edmund"}, {"ed", "edward"},
    {"ed", "edwin"}, {"eddie", "edmund"}, {"eddie", "edward"}, {"eddy", "edward"},
    {"eliza", "elizabeth"}, {"ellie", "eleanor"}, {"ellie", "elizabeth"}, {"em", "emily"},
    {"em", "emma"}, {"emmy", "emily"}, {"fran", "frances"}, {"frank", "francis"},
    {"frankie", "frances"}, {"frankie", "francis"}, {"fred", "alfred"}, {"fred", "frederick"},
    {"freddie", "alfred"}, {"freddie", "frederick"}, {"freddy", "frederick"}, {"gaz", "gareth"},
    {"gaz", "garry"}, {"gaz", "gary"}, {"georgie", "george"}, {"georgie", "georgina"},
    {"gerry", "gerald"}, {"gerry", "gerard"}, {"geth", "gethin"}, {"greg", "gregory"},
    {"gruff", "gruffudd"}, {"gruff", "gruffydd"}, {"gruffudd", "gruffydd"}, {"gwen", "gwendolyn"},
    {"gwen", "gwenllian"}, {"gwil", "gwilym"}, {"gwilym", "william"}, {"hal", "henry"},
    {"harry", "harold"}, {"harry", "henry"}, {"huw", "hugh"}, {"ioan", "john"},
    {"issy", "isabel"}, {"issy", "isabella"}, {"izzy", "isabel"}, {"izzy", "isabella"},
    {"jac", "jack"}, {"jackie", "jacqueline"}, {"jacqui", "jacqueline"}, {"jake", "jacob"},
    {"jamie", "james"}, {"jen", "jennifer"}, {"jenni", "jennifer"}, {"jenny", "jennifer"},
    {"jess", "jessica"}, {"jessie", "jessica"}, {"jez", "jeremy"}, {"jim", "james"},
    {"jimbo", "james"}, {"jimmy", "james"}, {"jo", "joanna"}, {"jo", "joanne"},
    {"jo", "josephine"}, {"joe", "joseph"}, {"joey", "joseph"}, {"johnny", "john"},
    {"jon", "john"}, {"jon", "jonathan"}, {"jonny", "john"}, {"jonny", "jonathan"},
    {"josh", "joshua"}, {"josie", "josephine"}, {"kate", "catherine"}, {"kath", "catherine"},
    {"katharine", "catherine"}, {"katherine", "catherine"}, {"kathryn", "catherine"}, {"kathy", "catherine"},
    {"katie", "catherine"}, {"katy", "catherine"}, {"ken", "kenneth"}, {"kenny", "kenneth"},
    {"kim", "kimberley"}, {"kirsty", "christine"}, {"kit", "christopher"}, {"larry", "lawrence"},
    {"laurie", "laura"}, {"laurie", "lawrence"}, {"len", "leonard"}, {"lenny", "leonard"},
    {"lew", "lewis"}, {"lew", "llywelyn"}, {"libby", "elizabeth"}, {"liv", "olivia"},
    {"livvy", "olivia"}, {"liz", "elizabeth"}, {"liza", "elizabeth"}, {"lizzie", "elizabeth"},
    {"lizzy", "elizabeth"}, {"llew", "llywelyn"}, {"lottie", "charlotte"}, {"lou", "louis"},
    {"lou", "louise"}, {"louie", "louis"}, {"maddie", "madeleine"}, {"maddy", "madeleine"},
    {"maggie", "margaret"}, {"mags", "margaret"}, {"margie", "margaret"}, {"matt", "matthew"},
    {"matty", "matthew"}, {"meg", "margaret"}, {"meg", "megan"}, {"mick", "michael"},
    {"mickey", "michael"}, {"micky", "michael"}, {"mike", "michael"}, {"mikey", "michael"},
    {"millie", "amelia"}, {"millie", "emily"}, {"millie", "mildred"}, {"molly", "mary"},
    {"myf", "myfanwy"}, {"myfi", "myfanwy"}, {"nat", "natalie"}, {"nat", "nathan"},
    {"nat", "nathaniel"}, {"nate", "nathan"}, {"nate", "nathaniel"}, {"nath", "nathan"},
    {"nath", "nathaniel"}, {"natty", "natalie"}, {"ned", "edward"}, {"nell", "eleanor"},
    {"nell", "helen"}, {"nellie", "eleanor"}, {"nellie", "helen"}, {"nick", "nicholas"},
    {"nicki", "nicola"}, {"nicky", "nicholas"}, {"nicky", "nicola"}, {"nikki", "nicola"},
    {"ollie", "oliver"}, {"ollie", "olivia"}, {"olly", "oliver"}, {"paddy", "patrick"},
    {"pam", "pamela"}, {"pat", "patricia"}, {"pat", "patrick"}, {"patsy", "patricia"},
    {"peggy", "margaret"}, {"penny", "penelope"}, {"pete", "peter"}, {"phil", "philip"},
    {"pip", "philip"}, {"polly", "mary"}, {"ray", "raymond"}, {"rhi", "rhiannon"},
    {"rhod", "rhodri"}, {"rich", "richard"}, {"richie", "richard"}, {"rick", "richard"},
    {"ricky", "richard"}, {"rob", "robert"}, {"robbie", "robert"}, {"robby", "robert"},
    {"ron", "ronald"}, {"ronnie", "ronald"}, {"ronnie", "veronica"}, {"rosie", "rose"},
    {"rosie", "rosemary"}, {"sal", "sally"}, {"sal", "sarah"}, {"sam", "samantha"},
    {"sam", "samuel"}, {"sammie", "samantha"}, {"sammie", "samuel"}, {"sammy", "samantha"},
    {"sammy", "samuel"}, {"sandy", "alexander"}, {"sandy", "alexandra"}, {"shell", "michelle"},
    {"shelley", "michelle"}, {"sion", "john"}, {"steph", "stephanie"}, {"steve", "stephen"},
    {"steve", "steven"}, {"stevie", "stephen"}, {"stevie", "steven"}, {"sue", "susan"},
    {"susie", "susan"}, {"suzie", "susan"}, {"suzy", "susan"}, {"tash", "natasha"},
    {"tasha", "natasha"}, {"ted", "edward"}, {"ted", "theodore"}, {"teddy", "edward"},
    {"teddy", "theodore"}, {"terry", "terence"}, {"tess", "theresa"}, {"tessa", "theresa"},
    {"thom", "thomas"}, {"tim", "timothy"}, {"timmy", "timothy"}, {"tina", "christina"},
    {"tina", "christine"}, {"toby", "tobias"}, {"tom", "thomas"}, {"tom", "tomos"},
    {"tommy", "thomas"},
    {"tomos", "thomas"}, {"tony", "anthony"}, {"tori", "victoria"}, {"tricia", "patricia"},
    {"trish", "patricia"}, {"val", "valerie"}, {"vic", "victor"}, {"vic", "victoria"},
    {"vicki", "victoria"}, {"vicky", "victoria"}, {"wil", "gwilym"}, {"wil", "william"},
    {"will", "william"}, {"willie", "william"}, {"willy", "william"}, {"zac", "zachary"},
    {"zach", "zachary"}, {"zak", "zachary"},
};

#define N_NICKNAMES (sizeof NICKNAMES / sizeof NICKNAMES[0])

/* The Welsh forms whose rows above give the English form of the name, not a short or pet form. */
static const char *const TRANSLATIONS[] = {"dafydd", "dewi", "gwilym", "huw", "ioan", "sion", "tomos"};

static bool translation(const cpi_norm__nickname *row)
{
    for (size_t i = 0; i < sizeof TRANSLATIONS / sizeof TRANSLATIONS[0]; i++)
        if (strcmp(row->nick, TRANSLATIONS[i]) == 0)
            return true;
    return false;
}

const cpi_norm__nickname *cpi_norm__nickname_table(size_t *n)
{
    *n = N_NICKNAMES;
    return NICKNAMES;
}

/* The rows for key as [*lo, *hi). */
static void find_rows(const char *key, size_t *lo, size_t *hi)
{
    size_t a = 0, b = N_NICKNAMES;
    while (a < b) { /* first row with nick >= key */
        size_t m = a + (b - a) / 2;
        if (strcmp(NICKNAMES[m].nick, key) < 0)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    while (a < N_NICKNAMES && !strcmp(NICKNAMES[a].nick, key))
        a++;
    *hi = a;
}

static size_t canonicals(const char *key, bool translations, const char **out, size_t max)
{
    if (!key)
        return 0;
    size_t lo, hi, n = 0;
    find_rows(key, &lo, &hi);
    for (size_t i = lo; i < hi && n < max; i++)
        if (translations || !translation(&NICKNAMES[i]))
            out[n++] = NICKNAMES[i].canonical;
    return n;
}

size_t cpi_norm_forename_canonicals(const char *key, const char **out, size_t max)
{
    return canonicals(key, true, out, max);
}

size_t cpi_norm_forename_short_of(const char *key, const char **out, size_t max)
{
    return canonicals(key, false, out, max);
}

const char *cpi_norm_forename_canonical(const char *key)
{
    if (!key)
        return NULL;
    size_t lo, hi;
    find_rows(key, &lo, &hi);
    return hi - lo == 1 ? NICKNAMES[lo].canonical : NULL;
}

/* key itself, then its canonicals: the names key may stand for. */
static size_t name_set(const char *key, bool translations, const char **set, size_t max)
{
    set[0] = key;
    return 1 + canonicals(key, translations, set + 1, max - 1);
}

static bool equivalent(const char *key_a, const char *key_b, bool translations)
{
    if (!key_a || !key_b || !*key_a || !*key_b)
        return false;
    const char *a[8], *b[8];
    size_t na = name_set(key_a, translations, a, 8), nb = name_set(key_b, translations, b, 8);
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (!strcmp(a[i], b[j]))
                return true;
    return false;
}

bool cpi_norm_forenames_equivalent(const char *key_a, const char *key_b) { return equivalent(key_a, key_b, true); }

bool cpi_norm_forenames_one_name(const char *key_a, const char *key_b) { return equivalent(key_a, key_b, false); }

bool cpi_norm_forename_any(bool (*fn)(const char *name, void *ctx), void *ctx)
{
    for (size_t i = 0; i < N_NICKNAMES; i++)
        if (fn(NICKNAMES[i].nick, ctx) || fn(NICKNAMES[i].canonical, ctx))
            return true;
    return false;
}
