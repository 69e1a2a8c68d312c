/*
 * names.c - the word lists a Gwent-like force is made of: Welsh and English
 * forenames (with their short forms), surnames weighted the way they are in
 * south-east Wales (Jones, Williams, Davies, Evans and Thomas are common, which
 * is what makes linking hard), streets, towns with their postcode districts,
 * and premises names. All invented or generic; no list is taken from real
 * people's records.
 */
#include "tools/cpgen/gen.h"

#include <stdio.h>
#include <string.h>

/* "Canonical|short|short": the first name is the one on the birth record. */
static const char *const FORE_M[] = {
    "William|Will|Billy|Bill", "Thomas|Tom|Tommy", "James|Jamie|Jim", "Oliver|Ollie", "Jack",
    "Harry", "Charlie", "George", "Jacob|Jake", "Noah", "Riley", "Tyler", "Callum", "Kai", "Liam",
    "Jordan", "Dean", "Craig", "Lee", "Mark", "Paul", "Robert|Rob|Bob", "Michael|Mike|Mikey",
    "Daniel|Dan|Danny", "Christopher|Chris", "Matthew|Matt", "Joshua|Josh", "Benjamin|Ben",
    "Samuel|Sam", "Alexander|Alex", "Edward|Ed|Eddie", "Anthony|Tony", "Jonathan|Jon",
    "Nathan|Nath", "Ryan", "Connor", "Kyle", "Bradley|Brad", "Lewis", "Ethan", "Mason", "Logan",
    "Alfie", "Dylan", "Rhys", "Osian", "Llŷr", "Cai", "Ioan", "Gruffudd|Gruff", "Dafydd|Dai|Dave",
    "Tomos|Tom", "Aled", "Emyr", "Gethin|Geth", "Iwan", "Owain", "Huw", "Geraint", "Gareth|Gaz",
    "Rhodri|Rhod", "Steffan", "Harri", "Elis", "Sion", "Ieuan", "Carwyn", "Gwilym|Gwil",
};
static const char *const FORE_F[] = {
    "Siân", "Rhiannon|Rhi", "Gwenllïan|Gwen", "Ffion", "Catrin|Cat", "Megan|Meg", "Seren",
    "Cerys", "Nia", "Elin", "Angharad", "Bethan|Beth", "Carys", "Mali", "Alys", "Lowri", "Manon",
    "Eleri", "Nerys", "Efa", "Elizabeth|Beth|Lizzie|Liz", "Emily|Em", "Olivia|Liv", "Amelia|Millie",
    "Isla", "Ava", "Mia", "Chloe", "Jessica|Jess", "Lily", "Sophie", "Grace", "Ella",
    "Charlotte|Lottie|Charlie", "Hannah", "Lauren", "Amy", "Kelly", "Sarah", "Rebecca|Becky|Becca",
    "Natalie|Nat", "Leanne", "Kirsty", "Michelle|Shelley", "Nicola|Nicky", "Emma", "Katie",
    "Jade", "Courtney", "Paige", "Tia", "Caitlin", "Abigail|Abbie|Abi", "Victoria|Vicky|Tori",
    "Margaret|Maggie", "Susan|Sue", "Samantha|Sam", "Danielle|Dani", "Mererid", "Llinos",
    "Heledd", "Tegan", "Ceri", "Dwynwen", "Gwenno", "Ffraid", "Nansi", "Ruby", "Poppy",
};

/* Weight = how many times a surname is repeated in the draw table. */
static const struct { const char *name; int weight; } SURNAMES[] = {
    {"Jones", 16}, {"Williams", 12}, {"Davies", 12}, {"Evans", 10}, {"Thomas", 10},
    {"Roberts", 5}, {"Lewis", 5}, {"Hughes", 5}, {"Morgan", 5}, {"Griffiths", 5}, {"Price", 4},
    {"Rees", 4}, {"Powell", 3}, {"James", 4}, {"Jenkins", 4}, {"Phillips", 4}, {"Edwards", 4},
    {"Owen", 3}, {"Lloyd", 3}, {"Pritchard", 2}, {"Watkins", 2}, {"Harris", 3}, {"Morris", 3},
    {"Bevan", 2}, {"Prosser", 2}, {"Parry", 2}, {"Howells", 2}, {"Walters", 2}, {"Pugh", 2},
    {"Hopkins", 2}, {"Richards", 3}, {"Matthews", 2}, {"Smith", 5}, {"Brown", 3}, {"Taylor", 3},
    {"Wilson", 2}, {"Johnson", 2}, {"Walker", 2}, {"Wright", 2}, {"Robinson", 2}, {"Thompson", 2},
    {"White", 2}, {"Green", 2}, {"Hall", 2}, {"Wood", 2}, {"Clarke", 2}, {"Turner", 2},
    {"Hill", 2}, {"Moore", 2}, {"Cooper", 2}, {"Ward", 2}, {"Baker", 2}, {"Llewellyn", 1},
    {"Meredith", 1}, {"Vaughan", 1}, {"Gwynne", 1}, {"ap Rhys", 1}, {"Rees-Jones", 1},
    {"Bowen", 2}, {"Jarman", 1}, {"Cadwaladr", 1}, {"Ifans", 1}, {"Gittins", 1}, {"Probert", 1},
    {"Beddoe", 1}, {"O'Brien", 2}, {"Sullivan", 1}, {"Kowalski", 1}, {"Nowak", 1}, {"Ahmed", 2},
    {"Khan", 2}, {"Begum", 1}, {"Hussain", 1}, {"Nguyen", 1}, {"Okafor", 1},
};
#define NSUR (sizeof SURNAMES / sizeof SURNAMES[0])

static const char *const STREETS[] = {
    "Heol y Coed", "Heol Las", "Ffordd y Brenin", "Heol Pant", "Stryd Fawr", "Heol yr Eglwys",
    "Lon Isaf", "Maes y Deri", "Cae Glas", "Heol Gwyn", "Bryn Road", "Heol Tir Gwyn",
    "Clos y Wern", "Llys Derwen", "Tan y Bryn", "Pen y Cae", "Coed Cae Road", "Heol Caradog",
    "Ffordd Dinas", "Maes Glas", "High Street", "Church Road", "Commercial Street",
    "Station Road", "Mill Street", "Bridge Street", "Park Avenue", "Victoria Road",
    "Queen Street", "King Street", "Chepstow Road", "Caerleon Road", "Malpas Road",
    "Cardiff Road", "Oakfield Road", "Maple Close", "Heather Close", "Cedar Grove",
    "Bryn Terrace", "Alexandra Road", "Edward Street", "Albert Street", "Hill Street",
    "New Road", "School Lane", "Chapel Street", "Mount Pleasant", "Gwent Street", "Park Road",
    "Woodland Road", "Greenfield Terrace", "Elm Avenue", "Beech Close", "Llanover Road",
    "Brynglas Road", "Usk Way", "Hanbury Road", "Glyndwr Road", "Dan y Graig", "Tredegar Street",
    "Castle Street", "Monmouth Road", "Cwm Road", "Oxford Street", "Clarence Place",
    "Corporation Road", "Somerton Road", "Ringland Circle", "Bettws Lane", "Pillmawr Road",
};
#define NSTREET (sizeof STREETS / sizeof STREETS[0])

static const char *const ALIASES[] = {
    "Smokey", "Benny", "Ghost", "Dappa", "Skinz", "Tiny", "Bigz", "K-Dog", "Shadow", "Razor",
    "Bones", "Taff", "Deano", "Jonesy", "Evo", "Spike", "Snoop", "Ace", "Blade", "Flash",
    "Zed", "Milo", "Nitro", "Rocco", "Scar", "Dragon", "Fox", "Bullet", "Chief", "Moss",
};
#define NALIAS (sizeof ALIASES / sizeof ALIASES[0])

const la_info LAS[5] = {
    {"Newport", "EAST", {"Newport", "Caerleon", "Bettws", "Maindee", "Pill", "Ringland", "Malpas", "Rogerstone"},
     {"NP20", "NP18", "NP20", "NP19", "NP20", "NP19", "NP20", "NP10"}, "01633", 8},
    {"Torfaen", "WEST", {"Cwmbran", "Pontypool", "Blaenavon", "Griffithstown", "Croesyceiliog"},
     {"NP44", "NP4", "NP4", "NP4", "NP44"}, "01495", 5},
    {"Monmouthshire", "EAST", {"Abergavenny", "Monmouth", "Chepstow", "Caldicot", "Usk"},
     {"NP7", "NP25", "NP16", "NP26", "NP15"}, "01873", 5},
    {"Blaenau Gwent", "WEST", {"Ebbw Vale", "Tredegar", "Brynmawr", "Abertillery"},
     {"NP23", "NP22", "NP23", "NP13"}, "01495", 4},
    {"Caerphilly", "WEST", {"Caerphilly", "Blackwood", "Risca", "Bargoed", "Ystrad Mynach", "Newbridge"},
     {"CF83", "NP12", "NP11", "CF81", "CF82", "NP11"}, "01443", 6},
};

static const char *const TAKEAWAYS[] = {"Tasty Chicken", "Chicken Palace", "Golden Dragon", "Valley Kebab House",
                                        "Dragon Chippy", "Perfect Pizza Grill", "Star Fried Chicken", "Red Lion Takeaway",
                                        "Taste of Punjab", "Happy Garden"};
static const char *const HOTELS[] = {"Riverside Hotel", "Station Hotel", "Castle Lodge", "Travel Inn", "Bridge Guest House",
                                     "Valley View Motel"};

static uint16_t sur_table[512];
static uint32_t nsur_table;

void names_init(void)
{
    nsur_table = 0;
    for (uint16_t i = 0; i < NSUR; i++)
        for (int k = 0; k < SURNAMES[i].weight && nsur_table < 512; k++)
            sur_table[nsur_table++] = i;
}

#define NFM (sizeof FORE_M / sizeof FORE_M[0])
#define NFF (sizeof FORE_F / sizeof FORE_F[0])

/* Forename index: [0, NFM) male, [NFM, NFM+NFF) female. */
static const char *fore_entry(uint16_t i) { return i < NFM ? FORE_M[i] : FORE_F[i - NFM]; }

static _Thread_local char fore_buf[8][64];
static _Thread_local unsigned fore_slot;

/* The k-th '|'-separated part of an entry, copied into a rotating buffer. */
static const char *entry_part(const char *e, int k)
{
    for (int j = 0; j < k; j++) {
        e = strchr(e, '|');
        if (!e)
            return NULL;
        e++;
    }
    const char *end = strchr(e, '|');
    size_t n = end ? (size_t)(end - e) : strlen(e);
    char *b = fore_buf[fore_slot++ & 7];
    if (n > 63)
        n = 63;
    memcpy(b, e, n);
    b[n] = 0;
    return b;
}

const char *name_fore(uint16_t i) { return entry_part(fore_entry(i), 0); }
uint32_t name_nfore(void) { return NFM + NFF; }
bool name_has_nick(uint16_t i) { return strchr(fore_entry(i), '|') != NULL; }

const char *name_nick(rng *r, uint16_t i)
{
    const char *e = fore_entry(i);
    int parts = 1;
    for (const char *c = e; *c; c++)
        parts += *c == '|';
    if (parts == 1)
        return NULL;
    return entry_part(e, 1 + (int)rng_below(r, (uint32_t)parts - 1));
}

uint16_t name_fore_index(const char *s)
{
    for (uint16_t i = 0; i < NFM + NFF; i++)
        if (!strcmp(name_fore(i), s))
            return i;
    return 0;
}

uint16_t name_pick_fore(rng *r, char gender)
{
    /* Zipf within each list so a few names are common, as in life. */
    if (gender == 'M')
        return (uint16_t)rng_zipf(r, NFM);
    return (uint16_t)(NFM + rng_zipf(r, NFF));
}

const char *name_sur(uint16_t i) { return SURNAMES[i].name; }
uint16_t name_pick_sur(rng *r) { return sur_table[rng_below(r, nsur_table)]; }
bool name_sur_common(uint16_t i) { return i < 5; }

uint16_t name_sur_index(const char *s)
{
    for (uint16_t i = 0; i < NSUR; i++)
        if (!strcmp(SURNAMES[i].name, s))
            return i;
    return 0;
}

const char *name_street(uint16_t i) { return STREETS[i % NSTREET]; }
uint16_t name_pick_street(rng *r) { return (uint16_t)rng_below(r, NSTREET); }
uint32_t name_nstreet(void) { return NSTREET; }
const char *name_street_alias(uint16_t i) { return ALIASES[i % NALIAS]; }
uint16_t name_pick_alias(rng *r) { return (uint16_t)rng_below(r, NALIAS); }
uint32_t name_nalias(void) { return NALIAS; }

uint32_t place_name_count(uint8_t type)
{
    switch (type) {
    case LT_TAKEAWAY: return sizeof TAKEAWAYS / sizeof TAKEAWAYS[0];
    case LT_HOTEL: return sizeof HOTELS / sizeof HOTELS[0];
    default: return 4;
    }
}

/* The name a non-residential place is known by, made from its type and town. */
const char *place_name(uint8_t type, uint16_t idx, uint8_t la, uint8_t town, char *buf, size_t cap)
{
    const char *t = LAS[la].towns[town];
    switch (type) {
    case LT_CARE:
        snprintf(buf, cap, "%s Children's Home", name_street(idx));
        break;
    case LT_SCHOOL:
        if (idx % 3 == 0)
            snprintf(buf, cap, "Ysgol Gyfun %s", t);
        else if (idx % 3 == 1)
            snprintf(buf, cap, "%s High School", t);
        else
            snprintf(buf, cap, "%s Primary School", name_street(idx));
        break;
    case LT_PARK:
        snprintf(buf, cap, idx % 2 ? "Parc %s" : "%s Park", t);
        break;
    case LT_TAKEAWAY:
        snprintf(buf, cap, "%s", TAKEAWAYS[idx % (sizeof TAKEAWAYS / sizeof TAKEAWAYS[0])]);
        break;
    case LT_HOTEL:
        snprintf(buf, cap, "%s", HOTELS[idx % (sizeof HOTELS / sizeof HOTELS[0])]);
        break;
    case LT_STATION:
        snprintf(buf, cap, idx % 2 ? "%s Bus Station" : "%s Railway Station", t);
        break;
    case LT_SHOP:
        snprintf(buf, cap, "%s Convenience Store", t);
        break;
    default:
        buf[0] = 0;
    }
    return buf;
}
